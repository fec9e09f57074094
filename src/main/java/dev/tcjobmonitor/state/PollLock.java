package dev.tcjobmonitor.state;

/**
 * A monitor taken for one poll, so that no other process polls it meanwhile: the nodes of a
 * cluster and the one-shot commands run beside them ({@link MonitorStateStore#pollLock}). Closing
 * it gives the monitor back (and ends an attempt that did not get it).
 */
public interface PollLock extends AutoCloseable {

    /** Where only one process polls a monitor (a state folder it holds): always this process's. */
    PollLock UNCONTESTED = new PollLock() {
        @Override
        public boolean tryTake() {
            return true;
        }

        @Override
        public String holder() {
            return "this process";
        }

        @Override
        public void close() {
        }
    };

    /**
     * Takes the monitor unless another process has it; asked again after a refusal, tries again.
     *
     * @return whether this process now holds it
     * @throws StateStoreException when the store cannot be asked (the database is down)
     */
    boolean tryTake();

    /** Who holds the monitor, as far as the store can tell: for the line that says a poll waits or is skipped. */
    String holder();

    @Override
    void close();
}
