package dev.tcjobmonitor;

import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * The monitors' Quartz triggers: every templated monitor route owns the trigger
 * {@code tc-job-monitor/<name>}. Firing a monitor's job now runs a poll through the same route,
 * with the same no-overlap guarantee, as the cron schedule does.
 */
public final class MonitorTriggers {

    /** The Quartz trigger group of the route template's {@code from}. */
    public static final String GROUP = "tc-job-monitor";

    private MonitorTriggers() {
    }

    public static List<String> monitorNames(CamelContext context) {
        try {
            return scheduler(context).getTriggerKeys(GroupMatcher.triggerGroupEquals(GROUP)).stream()
                    .map(TriggerKey::getName).sorted().toList();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot list the monitors' triggers", e);
        }
    }

    /** Starts a poll of every monitor now, besides the schedule. */
    public static void pollNow(CamelContext context) {
        Scheduler scheduler = scheduler(context);
        try {
            for (String name : monitorNames(context)) {
                Trigger trigger = scheduler.getTrigger(TriggerKey.triggerKey(name, GROUP));
                scheduler.triggerJob(trigger.getJobKey());
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start a poll", e);
        }
    }

    /**
     * Starts Quartz for a one-shot run, whose settings keep it from starting with Camel: the
     * monitors' cron triggers are paused first, so a fire that falls due while the run lasts (or fell
     * due while Camel was starting) adds no poll of its own to the one the run asks for. A one-shot
     * run's Quartz is in memory even in a cluster (QuartzClustering): pausing touches no other node.
     */
    public static void startWithoutSchedule(CamelContext context) {
        Scheduler scheduler = scheduler(context);
        try {
            if (scheduler.getMetaData().isJobStoreClustered()) {
                // pausing a shared job store would pause the cluster's schedule
                throw new IllegalStateException("a one-shot run must not join the cluster's scheduler");
            }
            scheduler.pauseTriggers(GroupMatcher.triggerGroupEquals(GROUP));
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start Quartz", e);
        }
    }

    private static Scheduler scheduler(CamelContext context) {
        return context.getComponent("quartz", QuartzComponent.class).getScheduler();
    }
}
