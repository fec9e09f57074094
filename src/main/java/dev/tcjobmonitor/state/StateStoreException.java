package dev.tcjobmonitor.state;

/** The state store cannot be read or written; the poll fails and keeps its window. */
public class StateStoreException extends RuntimeException {

    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
