package dev.sfu.dtls.srtp;

/**
 * The states of the streams a context protects. A sending state is the only record of which (SSRC,
 * index) pairs the key has encrypted, so it lives until its owner removes it and is never evicted: a
 * forgotten state would start again at ROC 0 and SRTCP index 0 and encrypt an index a second time
 * (keystream reuse with AES-CM; with AES-GCM a repeated nonce, which gives away the GHASH key). A new SSRC
 * beyond {@value SrtpContext#MAX_SENDING_SSRCS} is refused and counted instead, and so is an SSRC removed
 * lately. Lookups allocate nothing; one thread, as its context.
 */
final class SendingStreams {
    private final SsrcTable table = new SsrcTable(SrtpContext.MAX_SENDING_SSRCS);
    /** The last state used: consecutive packets of one stream skip the table. */
    private SrtpStreamState last;
    /** SSRCs removed lately (a ring, made on the first removal): sending one again is refused. */
    private int[] removed;
    private int removedCount;
    private long refusedTooMany;
    private long refusedRemoved;

    /** The state of {@code ssrc}, created on its first packet; null when refused (counted). */
    SrtpStreamState state(int ssrc) {
        SrtpStreamState s = last;
        if (s != null && s.ssrc == ssrc) {
            return s;
        }
        s = table.get(ssrc);
        if (s == null) {
            s = admit(ssrc);
        }
        if (s != null) {
            last = s;
        }
        return s;
    }

    private SrtpStreamState admit(int ssrc) {
        if (wasRemoved(ssrc)) {
            refusedRemoved++;
            return null;
        }
        if (table.isFull()) {
            refusedTooMany++;
            return null;
        }
        SrtpStreamState s = new SrtpStreamState(ssrc);
        table.add(s);
        return s;
    }

    /** Why {@link #state} refused {@code ssrc}: an {@code ERR_} code of {@link SrtpContext}. */
    int refusal(int ssrc) {
        return wasRemoved(ssrc) ? SrtpContext.ERR_SSRC_REMOVED : SrtpContext.ERR_TOO_MANY_SSRCS;
    }

    boolean wasRemoved(int ssrc) {
        int[] r = removed;
        if (r != null) {
            for (int i = Math.min(removedCount, r.length) - 1; i >= 0; i--) {
                if (r[i] == ssrc) {
                    return true;
                }
            }
        }
        return false;
    }

    /** See {@link SrtpContext#removeSendingSsrc}. */
    boolean remove(int ssrc) {
        SrtpStreamState s = table.remove(ssrc);
        if (last != null && last.ssrc == ssrc) {
            last = null;
        }
        if (removed == null) {
            removed = new int[SrtpContext.REMEMBERED_REMOVED_SSRCS];
        }
        if (!wasRemoved(ssrc)) {
            removed[removedCount++ % removed.length] = ssrc;
            if (removedCount == 2 * removed.length) {
                removedCount = removed.length; // keeps the ring full without overflowing the count
            }
        }
        return s != null;
    }

    int size() {
        return table.size();
    }

    long refusedTooMany() {
        return refusedTooMany;
    }

    long refusedRemoved() {
        return refusedRemoved;
    }
}
