package org.example.soc;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The whole application: Camel Spring Boot loads its routes from classpath:camel/. */
@SpringBootApplication
public class SocApplication {

    public static void main(String[] args) {
        SpringApplication.run(SocApplication.class, args);
    }
}
