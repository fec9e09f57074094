package dev.tcjobmonitor.threatconnect;

/**
 * ThreatConnect refused a request or answered something the monitor cannot use. The message is
 * one line meant for an operator; it never contains credentials.
 */
public class ThreatConnectException extends RuntimeException {

    public ThreatConnectException(String message) {
        super(message, null, false, false);
    }
}
