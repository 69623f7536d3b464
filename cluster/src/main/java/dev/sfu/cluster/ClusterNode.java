package dev.sfu.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in the cluster. A thread of its own writes the node's record every heartbeat, renews
 * the lease of every conference hosted here and releases those that ended. {@link #route} decides where a
 * join goes: here when this node holds the conference's lease, to the owner when another node does, and
 * for a conference nobody owns, to the node {@link Placement} chooses, whose lease is taken on its behalf
 * (so the redirected join finds it owned, and two racing first joins end with one owner).
 *
 * <p>Media never waits for this class. When Redis is unreachable, conferences hosted here go on and take
 * joins; only conferences that would need a placement are refused.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterSettings settings;
    private final RedisStore store;
    private final LocalView local;
    private final MeterRegistry registry;
    private final LongSupplier nanoClock;
    private final Stress stress;
    private final Placement placement;
    /** Conferences whose lease this node holds, with when it last knew the conference was here or coming. */
    private final Map<String, Long> held = new ConcurrentHashMap<>();
    /** Placements this node made onto other nodes, per node, that their records may not show yet. */
    private final Map<String, Stress> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster");
        t.setDaemon(true);
        return t;
    });
    private final Counter redirects;
    private final Counter redisErrors;
    private final Counter unavailable;
    private final Counter leasesLost;
    private volatile boolean redisUp;
    private volatile boolean draining;
    private volatile NodeRecord self;
    private volatile List<NodeRecord> nodes = List.of();
    private double lastPacketsOut = -1;
    private long lastBeatNanos;

    public ClusterNode(ClusterSettings settings, RedisStore store, LocalView local, MeterRegistry registry,
            LongSupplier nanoClock, RandomGenerator random) {
        this.settings = settings;
        this.store = store;
        this.local = local;
        this.registry = registry;
        this.nanoClock = nanoClock;
        this.stress = new Stress(settings.capacityPacketsPerSecond(), settings.maxEndpoints(), nanoClock);
        this.placement = new Placement(settings.fullStress(), random);
        this.redirects = Counter.builder("sfu.cluster.redirects").description("joins sent to another node")
                .register(registry);
        this.redisErrors = Counter.builder("sfu.cluster.redis.errors")
                .description("Redis commands that failed or timed out").register(registry);
        this.unavailable = Counter.builder("sfu.cluster.unavailable")
                .description("joins refused because no node could take a new conference").register(registry);
        this.leasesLost = Counter.builder("sfu.cluster.leases.lost")
                .description("leases of conferences hosted here found held by another node").register(registry);
        Gauge.builder("sfu.cluster.leases.held", held, Map::size).description("conference leases this node holds")
                .register(registry);
        Gauge.builder("sfu.cluster.redis.up", this, n -> n.redisUp ? 1 : 0)
                .description("1 while Redis answers, 0 while new conferences are refused").register(registry);
        Gauge.builder("sfu.cluster.nodes", this, n -> n.nodes.size()).description("live nodes in the registry")
                .register(registry);
        this.self = record();
    }

    /** Connects, writes the first record and starts the heartbeat. A Redis that is down now is retried. */
    public void start() {
        beat();
        long period = settings.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    public String nodeId() {
        return settings.nodeId();
    }

    public boolean redisUp() {
        return redisUp;
    }

    public boolean draining() {
        return draining;
    }

    /** Leases held now. */
    public Set<String> leases() {
        return Set.copyOf(held.keySet());
    }

    /** The live nodes as of the last heartbeat, this node's own record up to date. */
    public List<NodeRecord> nodes() {
        List<NodeRecord> list = new ArrayList<>();
        for (NodeRecord n : nodes) {
            if (!n.id().equals(settings.nodeId())) {
                list.add(n);
            }
        }
        list.add(self);
        list.sort((a, b) -> a.id().compareTo(b.id()));
        return list;
    }

    /** From now on no new conference is placed here; the registry learns it at once. */
    public void drain() {
        draining = true;
        timer.execute(this::beat);
    }

    /**
     * Where a join for {@code conference} goes. Called on the signaling thread: a conference this node
     * holds needs no round trip; otherwise it costs one or two short Redis commands.
     */
    public Route route(String conference) {
        boolean hostedHere = local.hosts(conference);
        if (hostedHere && (held.containsKey(conference) || !redisUp)) {
            return Route.LOCAL;
        }
        try {
            String owner = store.owner(conference);
            if (owner == null) {
                return place(conference, null);
            }
            if (owner.equals(settings.nodeId())) {
                held.put(conference, nanoClock.getAsLong());
                return Route.LOCAL;
            }
            NodeRecord ownerRecord = store.node(owner);
            if (ownerRecord != null) {
                return redirect(ownerRecord, conference);
            }
            // The owner's record expired: that node is gone, and its lease can be moved before it expires.
            return place(conference, owner);
        } catch (RuntimeException e) {
            redisFailed(e);
            if (hostedHere) {
                return Route.LOCAL;
            }
            unavailable.increment();
            return new Route.Unavailable("the cluster store is unreachable: try again shortly");
        }
    }

    private Route place(String conference, String goneOwner) {
        List<NodeRecord> candidates = new ArrayList<>();
        for (NodeRecord n : store.nodes()) {
            if (!n.id().equals(settings.nodeId()) && !n.id().equals(goneOwner)) {
                candidates.add(n);
            }
        }
        NodeRecord me = record();
        candidates.add(me);
        Map<String, Integer> recent = new ConcurrentHashMap<>();
        pending.forEach((id, s) -> recent.put(id, s.recentPlacements()));
        // The balancer hashed this conference here: keep it here unless another node is clearly less busy.
        NodeRecord target = placement.choose(candidates, recent, draining ? null : settings.nodeId());
        if (target == null) {
            unavailable.increment();
            return new Route.Unavailable("every node is full or draining: try again later");
        }
        boolean taken = goneOwner == null
                ? store.acquire(conference, target.id(), settings.leaseTtl())
                : store.takeOver(conference, goneOwner, target.id(), settings.leaseTtl());
        if (!taken) {
            // Another node placed it in the meantime: follow its choice.
            String owner = store.owner(conference);
            if (owner == null) {
                unavailable.increment();
                return new Route.Unavailable("the conference is being placed: try again");
            }
            if (owner.equals(settings.nodeId())) {
                held.put(conference, nanoClock.getAsLong());
                return Route.LOCAL;
            }
            NodeRecord ownerRecord = store.node(owner);
            if (ownerRecord == null) {
                unavailable.increment();
                return new Route.Unavailable("the conference is being moved: try again");
            }
            return redirect(ownerRecord, conference);
        }
        if (goneOwner != null) {
            LOG.info("conference {} moved from the lost node {} to {}", conference, goneOwner, target.id());
        }
        if (target.id().equals(settings.nodeId())) {
            held.put(conference, nanoClock.getAsLong());
            stress.placed();
            return Route.LOCAL;
        }
        pending.computeIfAbsent(target.id(), id -> new Stress(1, 1, nanoClock)).placed();
        return redirect(target, conference);
    }

    private Route redirect(NodeRecord node, String conference) {
        redirects.increment();
        return new Route.Redirect(ClusterSettings.urlFor(node.url(), conference));
    }

    /**
     * For a draining node at its deadline: hands {@code conference} to another serving node (moving the
     * lease to it) and returns the URL its clients should join at, or null when no node can take it.
     */
    public String evacuate(String conference) {
        try {
            List<NodeRecord> others = new ArrayList<>();
            for (NodeRecord n : store.nodes()) {
                if (!n.id().equals(settings.nodeId())) {
                    others.add(n);
                }
            }
            NodeRecord target = placement.choose(others, Map.of());
            if (target == null) {
                return null;
            }
            held.remove(conference);
            if (!store.takeOver(conference, settings.nodeId(), target.id(), settings.leaseTtl())) {
                store.acquire(conference, target.id(), settings.leaseTtl());
            }
            return ClusterSettings.urlFor(target.url(), conference);
        } catch (RuntimeException e) {
            redisFailed(e);
            return null;
        }
    }

    /** One heartbeat: renew or release leases, write the record, read the others'. Never throws. */
    void beat() {
        try {
            Map<String, Integer> conferences = local.conferences();
            long now = nanoClock.getAsLong();
            Set<String> names = new HashSet<>(conferences.keySet());
            names.addAll(held.keySet());
            for (String c : names) {
                boolean here = conferences.containsKey(c);
                Long since = held.get(c);
                if (!here && since != null && now - since > settings.leaseTtl().toNanos()) {
                    // Ended (or its redirected client never came): free the name for any node.
                    store.release(c, settings.nodeId());
                    held.remove(c);
                    continue;
                }
                RedisStore.Renewal r = store.renew(c, settings.nodeId(), settings.leaseTtl());
                if (r == RedisStore.Renewal.LOST) {
                    if (held.remove(c) != null || here) {
                        leasesLost.increment();
                        LOG.warn("conference {} runs here but another node holds its lease", c);
                    }
                } else {
                    held.put(c, here ? now : since == null ? now : since);
                }
            }
            self = record();
            store.writeNode(self, settings.recordTtl());
            nodes = store.nodes();
            if (!redisUp) {
                LOG.info("Redis answers: the cluster is back in service");
            }
            redisUp = true;
        } catch (RuntimeException e) {
            redisFailed(e);
            self = record();
        }
    }

    private void redisFailed(RuntimeException e) {
        redisErrors.increment();
        if (redisUp) {
            LOG.warn("Redis does not answer ({}): running calls go on, new conferences are refused", e.toString());
        }
        redisUp = false;
    }

    /** This node's record now. */
    private synchronized NodeRecord record() {
        Map<String, Integer> conferences = local.conferences();
        int endpoints = 0;
        for (int n : conferences.values()) {
            endpoints += n;
        }
        long now = nanoClock.getAsLong();
        double packetsOut = packetsOut();
        double pps = 0;
        if (lastPacketsOut >= 0 && now > lastBeatNanos) {
            pps = Math.max(0, (packetsOut - lastPacketsOut) * 1e9 / (now - lastBeatNanos));
        }
        lastPacketsOut = packetsOut;
        lastBeatNanos = now;
        double cpu = cpu();
        return new NodeRecord(settings.nodeId(), settings.publicUrl(), settings.mediaAddresses(), settings.region(),
                settings.version(), draining ? NodeRecord.State.DRAINING : NodeRecord.State.SERVING, endpoints,
                conferences, Math.round(pps), cpu, Math.round(stress.of(cpu, pps, endpoints) * 1000) / 1000.0,
                System.currentTimeMillis());
    }

    private double packetsOut() {
        double sum = 0;
        for (Meter m : registry.find("sfu.packets.out").meters()) {
            for (Measurement x : m.measure()) {
                if (x.getStatistic() == Statistic.COUNT) {
                    sum += x.getValue();
                }
            }
        }
        return sum;
    }

    private static double cpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getProcessCpuLoad();
            return load < 0 ? 0 : Math.round(load * 1000) / 1000.0;
        }
        return 0;
    }

    /** Releases every lease and removes the record, so others need not wait for the expiries. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            for (String c : held.keySet()) {
                store.release(c, settings.nodeId());
            }
            store.deleteNode(settings.nodeId());
        } catch (RuntimeException e) {
            LOG.debug("could not clean up in Redis: {}", e.toString());
        }
        held.clear();
        store.close();
    }
}
