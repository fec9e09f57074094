package dev.tcjobmonitor.sink;

import java.util.Properties;

/**
 * JavaMail settings of the email sink (bean {@code tcMailProperties}) that camel-mail has no
 * option for: STARTTLS and bounded socket timeouts, for both smtp and smtps.
 */
public class MailSessionProperties extends Properties {

    private static final String[] PROTOCOLS = {"smtp", "smtps"};

    public void setStartTls(boolean startTls) {
        for (String protocol : PROTOCOLS) {
            setProperty("mail." + protocol + ".starttls.enable", String.valueOf(startTls));
            setProperty("mail." + protocol + ".starttls.required", String.valueOf(startTls));
        }
    }

    public void setTimeoutMillis(int timeoutMillis) {
        for (String protocol : PROTOCOLS) {
            setProperty("mail." + protocol + ".connectiontimeout", String.valueOf(timeoutMillis));
            setProperty("mail." + protocol + ".timeout", String.valueOf(timeoutMillis));
            setProperty("mail." + protocol + ".writetimeout", String.valueOf(timeoutMillis));
        }
    }
}
