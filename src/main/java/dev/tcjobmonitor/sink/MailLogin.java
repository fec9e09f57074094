package dev.tcjobmonitor.sink;

import jakarta.mail.PasswordAuthentication;
import org.apache.camel.component.mail.MailAuthenticator;

/**
 * The SMTP login of the email sink (bean {@code tcMailLogin}). Without a username the mail is
 * sent without authenticating at all; credentials never appear in an endpoint URI.
 */
public class MailLogin extends MailAuthenticator {

    private String username = "";
    private String password = "";

    public void setUsername(String username) {
        this.username = username == null ? "" : username.strip();
    }

    public void setPassword(String password) {
        this.password = password == null ? "" : password;
    }

    @Override
    public PasswordAuthentication getPasswordAuthentication() {
        return username.isEmpty() ? new PasswordAuthentication(null, null) : new PasswordAuthentication(username, password);
    }

    @Override
    public String toString() {
        return "MailLogin[" + (username.isEmpty() ? "none" : username + ", password=****") + "]";
    }
}
