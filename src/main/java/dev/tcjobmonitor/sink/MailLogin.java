package dev.tcjobmonitor.sink;

import jakarta.mail.PasswordAuthentication;
import java.util.Locale;
import org.apache.camel.component.mail.MailAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP login of the email sink (bean {@code login} of its route template). Without a username the mail is
 * sent without authenticating at all; credentials never appear in an endpoint URI. A login is only
 * sent encrypted (smtps, or smtp with STARTTLS required) unless the operator allows otherwise.
 */
public class MailLogin extends MailAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(MailLogin.class);

    private String username = "";
    private String password = "";
    private String protocol = "smtp";
    private boolean startTls;
    private boolean allowInsecureAuth;

    public void setUsername(String username) {
        this.username = username == null ? "" : username.strip();
    }

    public void setPassword(String password) {
        this.password = password == null ? "" : password;
    }

    /** {@code sink.email.protocol}: smtp or smtps. */
    public void setProtocol(String protocol) {
        this.protocol = protocol == null ? "" : protocol.strip().toLowerCase(Locale.ROOT);
    }

    /** {@code sink.email.starttls}: STARTTLS required before anything else is sent. */
    public void setStartTls(boolean startTls) {
        this.startTls = startTls;
    }

    /** {@code sink.email.allow-insecure-auth}: true lets the login go over an unencrypted connection. */
    public void setAllowInsecureAuth(boolean allowInsecureAuth) {
        this.allowInsecureAuth = allowInsecureAuth;
    }

    /**
     * At start: a login (a username) over a connection that is not encrypted would send the
     * password in clear text, and is refused unless allowed on purpose, then warned about.
     */
    public void check() {
        boolean encrypted = protocol.equals("smtps") || startTls;
        if (username.isEmpty() || encrypted) {
            return;
        }
        if (!allowInsecureAuth) {
            throw new IllegalArgumentException("invalid setting sink.email.username: a login over " + protocol
                    + " without STARTTLS sends the password in clear text; set sink.email.starttls=true or"
                    + " sink.email.protocol=smtps (or, on purpose, sink.email.allow-insecure-auth=true)");
        }
        LOG.warn("The email sink logs in over {} without STARTTLS (sink.email.allow-insecure-auth=true): anyone on the"
                + " network path can read its password; set sink.email.starttls=true or use smtps", protocol);
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
