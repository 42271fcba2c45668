package dev.landfall.common.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.amazonaws.services.dynamodbv2.AcquireLockOptions;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBLockClient;
import com.amazonaws.services.dynamodbv2.LockItem;
import com.amazonaws.services.dynamodbv2.ReleaseLockOptions;
import com.amazonaws.services.dynamodbv2.model.LockCurrentlyUnavailableException;
import com.amazonaws.services.dynamodbv2.util.LockClientUtils;
import org.apache.camel.Route;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelPreemptiveClusterView;
import org.apache.camel.component.master.MasterEndpoint;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace's leadership: the lock {@code lock#<namespace>} of {@link DynamoDbClusterService}'s lock client.
 * <p>
 * Every tick (on the service's one thread) a view that does not hold its lock tries it without blocking: the
 * library takes it only if it is absent or was seen unchanged for a whole lease. A disabled view (the rebalancer
 * gave the namespace to another member) keeps trying too, so that it has watched the lock for a lease already when it
 * is enabled again after a member died; should it win the lock meanwhile, it deletes it at once (it was free), so
 * the member that is meant to lead takes it at its next tick.
 * <p>
 * Leadership ends, in this order: the {@code master:} consumer is told (and stops its poller), the namespace's routes
 * finish the exchanges they have in flight (bounded by half a lease), then the lock item is deleted, so that another
 * member can take it at its next tick instead of after a lease. A holder whose heartbeats failed stops leading on its
 * own, a safety margin before any other member may take the lock.
 */
public final class DynamoDbClusterView extends AbstractCamelClusterView implements CamelPreemptiveClusterView {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbClusterView.class);

    private final DynamoDbClusterService service;
    private final String lockKey;
    private final ReentrantLock work = new ReentrantLock();
    private final CamelClusterMember local = new Member(true);
    /**
     * Camel's master consumer starts its poller 1 s after it is told it leads, and a loss told before that start is
     * ignored (the poller would then start anyway): a namespace is never given up sooner than this after it was taken.
     */
    static final long MIN_HOLD_MS = 2_000;

    private volatile LockItem held;
    private long heldSince;
    private volatile boolean disabled;

    DynamoDbClusterView(DynamoDbClusterService service, String namespace) {
        super(service, namespace);
        this.service = service;
        this.lockKey = DynamoDbClusterService.LOCK_PREFIX + namespace;
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        return held != null ? Optional.of(local) : Optional.empty();
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    /** Every live member of the cluster (the same list in every view, as the rebalancer requires). */
    @Override
    public List<CamelClusterMember> getMembers() {
        List<CamelClusterMember> out = new ArrayList<>();
        for (String id : service.members()) {
            out.add(id.equals(service.getId()) ? local : new RemoteMember(id));
        }
        return out;
    }

    @Override
    public void setDisabled(boolean disabled) {
        // the hand-over itself happens at the next tick, on the service's thread
        this.disabled = disabled;
    }

    @Override
    public boolean isDisabled() {
        return disabled;
    }

    @Override
    protected void doStart() {
        // the first try is at the service's next tick
    }

    @Override
    protected void doStop() {
        work.lock();
        try {
            if (giveUp()) {
                LOG.info("cluster {}: gave up {} (its routes stopped)", service.getId(), getNamespace());
            }
        } finally {
            work.unlock();
        }
    }

    /** What a tick changed. */
    enum Change { NONE, TAKEN, GIVEN_UP, LOST }

    /**
     * One pass, on the service's thread: keep, lose or give up the lock, or try to take it.
     *
     * @param mayTake false when this member leads its full share already: the lock is then only watched, as by a
     *                disabled view
     */
    Change tick(boolean mayTake) throws InterruptedException {
        work.lock();
        try {
            if (!isRunAllowed()) {
                return Change.NONE;
            }
            LockItem h = held;
            if (h != null) {
                long age = LockClientUtils.INSTANCE.millisecondTime() - h.getLookupTime();
                // the library drops a lock from its heartbeats when another member took it (its condition failed)
                if (!service.locks().hasLock(lockKey, Optional.empty()) || age > safeAge()) {
                    held = null;
                    LOG.debug("Lost the leadership of {}: no successful heartbeat for {} ms", getNamespace(), age);
                    fireLeadershipChangedEvent((CamelClusterMember) null);
                    return Change.LOST;
                }
                if (disabled && System.nanoTime() - heldSince >= TimeUnit.MILLISECONDS.toNanos(MIN_HOLD_MS)) {
                    giveUp();
                    return Change.GIVEN_UP;
                }
                return Change.NONE;
            }
            Optional<LockItem> got = tryAcquire();
            if (got.isEmpty()) {
                return Change.NONE;
            }
            if (disabled || !mayTake) {
                // free or expired, but meant for another member: delete it, so that member need not wait a lease
                release(got.get());
                return Change.NONE;
            }
            held = got.get();
            heldSince = System.nanoTime();
            fireLeadershipChangedEvent(local);
            return Change.TAKEN;
        } finally {
            work.unlock();
        }
    }

    private Optional<LockItem> tryAcquire() throws InterruptedException {
        AmazonDynamoDBLockClient locks = service.locks();
        try {
            return locks.tryAcquireLock(AcquireLockOptions.builder(lockKey)
                    .withShouldSkipBlockingWait(true)
                    .withDeleteLockOnRelease(true)
                    .withAdditionalTimeToWaitForLock(0L)
                    .withRefreshPeriod(0L)
                    .withTimeUnit(TimeUnit.MILLISECONDS)
                    .build());
        } catch (LockCurrentlyUnavailableException e) {
            return Optional.empty(); // held by a live member (now watched: the library notes its version)
        }
    }

    /** A lease minus a margin of two ticks (at least a fifth of the lease): the holder stops before anyone may take over. */
    private long safeAge() {
        long lease = service.settings().lease().toMillis();
        return lease - Math.max(2 * service.settings().acquireInterval().toMillis(), lease / 5);
    }

    /** Tells the consumer, lets its exchanges finish, deletes the lock; false if there was none. */
    private boolean giveUp() {
        LockItem h = held;
        if (h == null) {
            return false;
        }
        held = null;
        fireLeadershipChangedEvent((CamelClusterMember) null);
        awaitInflight(service.settings().lease().toMillis() / 2);
        release(h);
        return true;
    }

    private void release(LockItem lock) {
        try {
            service.locks().releaseLock(ReleaseLockOptions.builder(lock).withDeleteLock(true).withBestEffort(true).build());
        } catch (RuntimeException e) {
            LOG.debug("Could not delete lock {}: {} (it runs out after its lease)", lockKey, e.toString());
        }
    }

    /** Waits (bounded) until the routes of this namespace have no exchange in flight. */
    private void awaitInflight(long maxMs) {
        if (getCamelContext() == null) {
            return;
        }
        List<String> routes = new ArrayList<>();
        for (Route route : getCamelContext().getRoutes()) {
            if (route.getEndpoint() instanceof MasterEndpoint m && getNamespace().equals(m.getNamespace())) {
                routes.add(route.getRouteId());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
        for (String routeId : routes) {
            while (getCamelContext().getInflightRepository().size(routeId) > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private final class Member implements CamelClusterMember {
        private final boolean isLocal;

        Member(boolean isLocal) {
            this.isLocal = isLocal;
        }

        @Override
        public boolean isLeader() {
            return held != null;
        }

        @Override
        public boolean isLocal() {
            return isLocal;
        }

        @Override
        public String getId() {
            return service.getId();
        }

        @Override
        public String toString() {
            return getId();
        }
    }

    /** Another live member: whether it leads this namespace is not looked up (one read less per tick). */
    private record RemoteMember(String getId) implements CamelClusterMember {
        @Override
        public boolean isLeader() {
            return false;
        }

        @Override
        public boolean isLocal() {
            return false;
        }
    }
}
