package dev.sfu.load;

/**
 * The 20 ms clock: every publisher sends audio and its video layers (a keyframe of every layer each
 * 4 s, as browsers do at most), every peer NACKs what it misses, and once a second every peer sends a
 * receiver report.
 */
final class Sender implements Runnable {
    /** Each layer's share of the top layer's bitrate, lowest first (roughly a browser's 180p/360p/720p). */
    private static final double[] LAYER_SHARE = {1.0 / 8, 1.0 / 3, 1.0};
    private final Peers peers;
    private final double[] packetsPerTick;
    private final double[] carry;
    private int tick;
    private volatile boolean stopped;

    Sender(Peers peers, int videoKbps, int layers) {
        this.peers = peers;
        this.packetsPerTick = new double[layers];
        this.carry = new double[layers];
        for (int l = 0; l < layers; l++) {
            double share = LAYER_SHARE[LAYER_SHARE.length - layers + l];
            packetsPerTick[l] = videoKbps * share * 1000.0 / 8 / 1000 / 50;
        }
    }

    @Override
    public void run() {
        if (stopped) {
            return;
        }
        int[] packets = new int[packetsPerTick.length];
        for (int l = 0; l < packets.length; l++) {
            carry[l] += packetsPerTick[l];
            packets[l] = (int) carry[l];
            carry[l] -= packets[l];
        }
        boolean keyframe = tick % 200 == 0;
        boolean report = tick % 50 == 25;
        boolean transportFeedback = tick % 5 == 0; // every 100 ms, as browsers do at these rates
        tick++;
        for (SimulatedPeer p : peers.publishers) {
            p.client.execute(() -> p.sendTick(packets, 1000, keyframe));
        }
        for (SimulatedPeer p : peers.everyone) {
            p.client.execute(() -> {
                p.sendNacks();
                if (report) {
                    p.sendReceiverReport();
                }
                if (transportFeedback) {
                    p.client.sendTransportFeedback();
                }
            });
        }
    }

    long sent() {
        long total = 0;
        for (SimulatedPeer p : peers.publishers) {
            total += p.packetsSent;
        }
        return total;
    }

    void stop() {
        stopped = true;
    }
}
