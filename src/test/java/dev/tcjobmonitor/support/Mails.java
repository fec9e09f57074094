package dev.tcjobmonitor.support;

import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;

/** What a test reads of a mail GreenMail received. */
public final class Mails {

    private Mails() {
    }

    /** Every part's content one after the other (the plain part, then the HTML part of a digest). */
    public static String text(MimeMessage mail) {
        try {
            Object content = mail.getContent();
            if (content instanceof Multipart parts) {
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < parts.getCount(); i++) {
                    text.append(parts.getBodyPart(i).getContent());
                }
                return text.toString();
            }
            return String.valueOf(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
