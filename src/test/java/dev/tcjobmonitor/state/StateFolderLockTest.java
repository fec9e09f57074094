package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcjobmonitor.support.StateFolderHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One process per state folder: this JVM's stores against a folder that another JVM holds (the
 * same lock, taken by {@link StateFolderHolder} in a process of its own).
 */
class StateFolderLockTest {

    private static final Instant T100 = Instant.ofEpochSecond(100);

    @TempDir
    Path dir;

    private Process holder;

    @AfterEach
    void endHolder() throws Exception {
        if (holder != null) {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Ends the other process the way a daemon is stopped, and waits until it is gone. */
    private void stopHolder() throws Exception {
        holder.getOutputStream().close();
        assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        holder = null;
    }

    @Test
    void aFileStoreOnAFolderAnotherProcessHoldsIsRefusedNamingItsPidAndWritesNothing() throws Exception {
        Files.createDirectories(dir.resolve("m1"));
        Files.writeString(dir.resolve("m1/delivered-file.tsv"), "a\t100\n");
        holder = StateFolderHolder.start(dir);
        FileStateStore store = new FileStateStore(dir);

        assertThatThrownBy(() -> store.watermark("m1")).isInstanceOf(StateFolderLock.StateFolderInUse.class)
                .hasMessageContaining("the state folder " + dir.toRealPath() + " is in use by process " + holder.pid());
        assertThatThrownBy(() -> store.recordDelivered("m1", "file", "b", T100)).isInstanceOf(StateFolderLock.StateFolderInUse.class);
        assertThatThrownBy(() -> store.saveWatermark("m1", T100)).isInstanceOf(StateFolderLock.StateFolderInUse.class);
        assertThatThrownBy(() -> store.forgetDeliveredBefore("m1", Instant.ofEpochSecond(200)))
                .isInstanceOf(StateFolderLock.StateFolderInUse.class);
        assertThat(Files.readString(dir.resolve("m1/delivered-file.tsv"))).isEqualTo("a\t100\n");
        assertThat(dir.resolve("m1/watermark")).doesNotExist();

        // the other process ended: the same store carries on, nothing to restart
        stopHolder();
        store.saveWatermark("m1", T100);
        assertThat(store.watermark("m1")).contains(T100);
        store.close();
    }

    @Test
    void aClusterNodesLocalStateFolderIsHeldByOneProcessToo() throws Exception {
        holder = StateFolderHolder.start(dir);
        SelectedStateStore store = new SelectedStateStore();
        store.setDirectory(dir.toString());
        store.setClusterEnabled(true);
        // never reached: the folder is refused before the database is asked
        store.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/unused");
        try {
            // the node's dead letters (and, in an install folder, its file sink) are local files
            assertThatThrownBy(() -> store.watermark("m1")).isInstanceOf(StateFolderLock.StateFolderInUse.class)
                    .hasMessageContaining("is in use by process " + holder.pid());
        } finally {
            store.close();
        }
    }

    @Test
    void theStoresOfOneProcessShareTheFolderAndReleaseItWhenTheLastCloses() throws Exception {
        FileStateStore first = new FileStateStore(dir);
        FileStateStore second = new FileStateStore(dir);
        // two monitors of one host: each its own sub-folder, one lock for the process
        first.saveWatermark("m1", T100);
        second.saveWatermark("m2", T100);

        first.close();
        assertThatThrownBy(() -> StateFolderHolder.start(dir)).hasMessageContaining("did not take the lock");
        second.close();

        holder = StateFolderHolder.start(dir);
        assertThat(Files.readString(dir.resolve(StateFolderLock.FILE)).strip()).isEqualTo(String.valueOf(holder.pid()));
    }

    @Test
    void aFolderThatCannotBeLockedIsUsedAsBefore() throws Exception {
        // something that is no file stands where the lock goes (as on a file system without locks)
        Files.createDirectories(dir.resolve(StateFolderLock.FILE));
        FileStateStore store = new FileStateStore(dir);

        store.saveWatermark("m1", T100);

        assertThat(store.watermark("m1")).contains(T100);
        store.close();
    }
}
