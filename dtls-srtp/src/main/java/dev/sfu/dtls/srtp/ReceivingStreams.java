package dev.sfu.dtls.srtp;

/**
 * The states of the streams a context unprotects, at most {@value SrtpContext#MAX_RECEIVING_SSRCS}. An
 * unknown SSRC gets a provisional state that joins the table only once one of its packets authenticates
 * ({@link #confirm}), so forged packets cannot crowd real streams out. A full table gives up the stream
 * unused the longest: a subscriber that stays while many participants come and go sees a new SSRC for
 * each of their tracks. Its replay window goes with it, which is safe for a stream that has ended; one that
 * has not, and sends again, starts over with a fresh window. Lookups allocate nothing; one thread.
 */
final class ReceivingStreams {
    private final SsrcTable table = new SsrcTable(SrtpContext.MAX_RECEIVING_SSRCS);
    /** The last state used: consecutive packets of one stream skip the table. */
    private SrtpStreamState last;
    private long uses;
    /** The state of an SSRC not yet seen, until one of its packets authenticates. */
    private SrtpStreamState provisional;

    SrtpStreamState state(int ssrc) {
        SrtpStreamState s = last;
        if (s == null || s.ssrc != ssrc) {
            s = table.get(ssrc);
        }
        if (s != null) {
            s.lastUsed = ++uses;
            last = s;
            return s;
        }
        if (provisional == null || provisional.ssrc != ssrc) {
            provisional = new SrtpStreamState(ssrc);
        }
        return provisional;
    }

    /** A packet of {@code s} authenticated: a provisional state joins the table. */
    void confirm(SrtpStreamState s) {
        if (s != provisional) {
            return;
        }
        provisional = null;
        if (table.isFull()) {
            SrtpStreamState oldest = table.leastRecentlyUsed();
            table.remove(oldest.ssrc);
            if (last == oldest) {
                last = null;
            }
        }
        s.lastUsed = ++uses;
        table.add(s);
        last = s;
    }

    int size() {
        return table.size();
    }
}
