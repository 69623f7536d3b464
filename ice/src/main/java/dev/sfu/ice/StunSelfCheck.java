package dev.sfu.ice;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Whether an advertised address reaches this server's media port: a Binding request sent from this machine
 * to {@code address:port} must come back answered by the port itself. For an address of a 1:1 NAT (a cloud
 * VM's public address) that proves the NAT forwards the port, as far as the NAT lets a host reach itself
 * (hairpinning; the {@code /check} page tests from outside).
 *
 * <p>The port answers only requests for this check's own ufrag, with MESSAGE-INTEGRITY under its random
 * password, and only while a check runs: it is no open STUN server for anyone else.
 */
public final class StunSelfCheck {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final String ufrag = "selfcheck" + random(8);
    private final byte[] password = random(24).getBytes(StandardCharsets.US_ASCII);
    private volatile long activeUntilNanos = Long.MIN_VALUE;

    private static String random(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ICE_CHARS.charAt(RANDOM.nextInt(ICE_CHARS.length())));
        }
        return s.toString();
    }

    /** True when {@code ufrag} (the local part of a request's USERNAME) is this check's. */
    boolean isMine(String ufrag) {
        return this.ufrag.equals(ufrag);
    }

    /**
     * The answer to a request for this check's ufrag, written into {@code out}: its length, or -1 when no
     * check runs now or the request is not an authentic one of ours.
     */
    int answer(byte[] request, int off, int len, InetSocketAddress from, byte[] out, long nowNanos) {
        if (nowNanos - activeUntilNanos > 0 || !Stun.isMessage(request, off, len)
                || Stun.type(request, off) != Stun.BINDING_REQUEST || !Stun.fingerprintValid(request, off, len)
                || !Stun.integrityValid(request, off, len, password)) {
            return -1;
        }
        return Stun.bindingSuccess(out, 0, request, off, from, password);
    }

    /**
     * Sends Binding requests to {@code target} from an ephemeral socket, retransmitted with doubling waits
     * within {@code timeout}; true when an authentic answer came back.
     */
    boolean probe(InetSocketAddress target, Duration timeout) {
        activeUntilNanos = System.nanoTime() + timeout.toNanos() + Duration.ofSeconds(1).toNanos();
        byte[] request = new byte[200];
        byte[] transaction = new byte[12];
        RANDOM.nextBytes(transaction);
        int length = Stun.bindingRequest(request, 0, transaction, ufrag + ":probe", 1, RANDOM.nextLong(), false,
                password);
        try (DatagramSocket socket = new DatagramSocket()) {
            byte[] reply = new byte[512];
            return StunRetransmitter.exchange(socket, target, request, length, reply,
                    StunRetransmitter.doubling((int) Math.max(1, timeout.toMillis() / 7), timeout.toMillis()),
                    n -> Stun.mappedAddress(reply, n, transaction) != null
                            && Stun.integrityValid(reply, 0, n, password)) > 0;
        } catch (IOException e) {
            return false; // no route, a refused port: not reachable
        } finally {
            activeUntilNanos = Long.MIN_VALUE;
        }
    }
}
