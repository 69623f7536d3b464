package dev.sfu.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;

/**
 * One STUN transaction over UDP from a blocking socket (RFC 8489 §6.2.1): the request is sent, and sent
 * again after each wait without an answer that {@code accepts}; datagrams that are not the answer (a
 * stray, another transaction) are skipped. For the start-up and command-line checks only, never the media
 * path: it blocks its thread.
 */
final class StunRetransmitter {
    /** Whether a received datagram of {@code length} bytes in the reply buffer is the awaited answer. */
    interface Answer {
        boolean accepts(int length);
    }

    private StunRetransmitter() {
    }

    /**
     * Sends {@code request} to {@code target} (null: the connected peer), once per entry of
     * {@code waitsMillis}, waiting that long for an answer each time.
     *
     * @return the answer's length in {@code reply}, or -1 when none came
     */
    static int exchange(DatagramSocket socket, SocketAddress target, byte[] request, int length, byte[] reply,
            int[] waitsMillis, Answer answer) throws IOException {
        for (int wait : waitsMillis) {
            DatagramPacket out = new DatagramPacket(request, length);
            if (target != null) {
                out.setSocketAddress(target);
            }
            socket.send(out);
            long deadline = System.nanoTime() + wait * 1_000_000L;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(reply, reply.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (answer.accepts(p.getLength())) {
                    return p.getLength();
                }
            }
        }
        return -1;
    }

    /** Waits that start at {@code first} ms and double, as many as fit in {@code totalMillis} (at least one). */
    static int[] doubling(int first, long totalMillis) {
        java.util.List<Integer> waits = new java.util.ArrayList<>();
        long used = 0;
        for (int w = Math.max(1, first); used + w <= totalMillis || waits.isEmpty(); w *= 2) {
            waits.add((int) Math.min(w, Math.max(1, totalMillis - used)));
            used += w;
        }
        return waits.stream().mapToInt(Integer::intValue).toArray();
    }
}
