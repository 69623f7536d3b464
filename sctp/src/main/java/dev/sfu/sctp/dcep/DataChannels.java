package dev.sfu.sctp.dcep;

import dev.sfu.sctp.AssociationListener;
import dev.sfu.sctp.CloseReason;
import dev.sfu.sctp.PacketSink;
import dev.sfu.sctp.SctpAssociation;
import dev.sfu.sctp.SctpConfig;
import dev.sfu.sctp.SendOptions;
import dev.sfu.sctp.SendResult;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Data channels (RFC 8831) over one SCTP association, opened with DCEP (RFC 8832) or negotiated out of band.
 * Stream ids: the DTLS server uses odd ids and the DTLS client even ones (RFC 8832 §6), so both sides can
 * open channels at once without clashing. Like the association, it is sans-I/O: the caller feeds packets and
 * time through {@link #association()} (or the shortcuts here).
 */
public final class DataChannels implements AssociationListener {
    private final SctpAssociation association;
    private final boolean dtlsServer;
    private final DataChannelListener listener;
    private final Map<Integer, DataChannel> channels = new HashMap<>();
    /** Messages refused: on a stream with no channel, with a deprecated PPID, or an unknown PPID. */
    private long droppedMessages;
    /** DCEP messages that did not parse. */
    private long badDcepMessages;

    public DataChannels(SctpConfig config, boolean dtlsServer, PacketSink sink, DataChannelListener listener) {
        this(config, dtlsServer, sink, listener, new SecureRandom());
    }

    public DataChannels(SctpConfig config, boolean dtlsServer, PacketSink sink, DataChannelListener listener,
            Random random) {
        this.dtlsServer = dtlsServer;
        this.listener = listener;
        this.association = new SctpAssociation(config, sink, this, random);
    }

    public SctpAssociation association() {
        return association;
    }

    public void connect(long now) {
        association.connect(now);
    }

    public void receive(byte[] b, int off, int len, long now) {
        association.receive(b, off, len, now);
    }

    public long nextTimeoutNanos() {
        return association.nextTimeoutNanos();
    }

    public void handleTimeout(long now) {
        association.handleTimeout(now);
    }

    public DataChannel channel(int id) {
        return channels.get(id);
    }

    public List<DataChannel> channels() {
        return new ArrayList<>(channels.values());
    }

    public long droppedMessages() {
        return droppedMessages;
    }

    public long badDcepMessages() {
        return badDcepMessages;
    }

    /**
     * Opens a channel: a pre-negotiated one on its given id, or one announced with DATA_CHANNEL_OPEN on the
     * next free id of our parity. Returns null when the id is taken or no id is free, or the association is
     * gone. Before the association is up the OPEN waits in the send queue.
     */
    public DataChannel open(String label, DataChannelOptions o, long now) {
        if (association.isClosed()) {
            return null;
        }
        ChannelType type = ChannelType.of(o.ordered(), o.maxRetransmits(), o.maxPacketLifeTimeMs());
        long reliability = o.maxRetransmits() >= 0 ? o.maxRetransmits() : Math.max(0, o.maxPacketLifeTimeMs());
        if (o.negotiatedId() >= 0) {
            if (o.negotiatedId() >= association.outboundStreams() || channels.containsKey(o.negotiatedId())) {
                return null;
            }
            DataChannel ch = new DataChannel(this, o.negotiatedId(), label, o.protocol(), type, o.priority(),
                    reliability, true);
            channels.put(ch.id(), ch);
            return ch;
        }
        int id = freeId();
        if (id < 0) {
            return null;
        }
        DataChannel ch = new DataChannel(this, id, label, o.protocol(), type, o.priority(), reliability, false);
        byte[] open = new DcepMessage.Open(type, o.priority(), reliability, label, o.protocol()).encode();
        // DCEP messages are always sent reliable and ordered (RFC 8832 §6).
        SendResult r = association.send(id, DcepMessage.PPID_DCEP, open, SendOptions.RELIABLE, now);
        if (r != SendResult.OK) {
            return null;
        }
        channels.put(id, ch);
        return ch;
    }

    private int freeId() {
        int limit = Math.min(association.outboundStreams(), 65_535);
        for (int id = dtlsServer ? 1 : 0; id < limit; id += 2) {
            if (!channels.containsKey(id)) {
                return id;
            }
        }
        return -1;
    }

    SendResult sendRaw(DataChannel ch, int ppid, byte[] data, long now) {
        if (ch.state != DataChannel.State.OPEN) {
            return SendResult.STREAM_RESETTING;
        }
        return association.send(ch.id(), ppid, data, ch.sendOptions(), now);
    }

    void close(DataChannel ch, long now) {
        if (ch.state != DataChannel.State.OPEN) {
            return;
        }
        ch.state = DataChannel.State.CLOSING;
        if (!association.resetStreams(new int[] {ch.id()}, now)) {
            closed(ch); // no RE-CONFIG (or not up): nothing to tell the peer in-band
        }
    }

    private void closed(DataChannel ch) {
        if (ch.state == DataChannel.State.CLOSED) {
            return;
        }
        ch.state = DataChannel.State.CLOSED;
        channels.remove(ch.id(), ch);
        listener.onChannelClosed(ch);
    }

    // ------------------------------------------------------------------------ association events

    @Override
    public void onConnected() {
        listener.onConnected();
    }

    @Override
    public void onMessage(int streamId, int ppid, byte[] data) {
        if (ppid == DcepMessage.PPID_DCEP) {
            onDcep(streamId, data);
            return;
        }
        DataChannel ch = channels.get(streamId);
        if (ch == null || ch.state == DataChannel.State.CLOSED) {
            droppedMessages++;
            return;
        }
        ch.acked = true; // RFC 8832 §6: any message from the peer implies it saw the OPEN
        switch (ppid) {
            case DcepMessage.PPID_STRING -> listener.onText(ch, new String(data, StandardCharsets.UTF_8));
            case DcepMessage.PPID_STRING_EMPTY -> listener.onText(ch, "");
            case DcepMessage.PPID_BINARY -> listener.onBinary(ch, data);
            case DcepMessage.PPID_BINARY_EMPTY -> listener.onBinary(ch, new byte[0]);
            default -> droppedMessages++; // 52/54 (deprecated partial) and unknown PPIDs
        }
    }

    private void onDcep(int streamId, byte[] data) {
        int type = DcepMessage.type(data, 0, data.length);
        if (type == DcepMessage.TYPE_ACK) {
            DataChannel ch = channels.get(streamId);
            if (ch != null && !ch.acked) {
                ch.acked = true;
                listener.onChannelAcked(ch);
            }
            return;
        }
        DcepMessage.Open open = DcepMessage.parseOpen(data, 0, data.length);
        if (open == null) {
            badDcepMessages++;
            return;
        }
        // An OPEN on an id of our own parity breaks RFC 8832 §6, and one on a used id would clash: refused.
        boolean ourParity = (streamId & 1) == (dtlsServer ? 1 : 0);
        DataChannel old = channels.get(streamId);
        boolean ackLater = false;
        if (old != null && !ourParity && old.state == DataChannel.State.CLOSING && old.incomingReset) {
            // The peer reuses an id whose close it finished: it had reset its side and performed our reset,
            // whose answer is still on its way (or lost and being asked for again). The old channel is done.
            // Our side of the stream may take nothing until that answer restarts its SSNs, so the ACK waits.
            ackLater = !old.outgoingReset;
            closed(old);
            old = null;
        }
        if (ourParity || old != null) {
            badDcepMessages++;
            return;
        }
        DataChannel ch = new DataChannel(this, streamId, open.label(), open.protocol(), open.channelType(),
                open.priority(), open.reliabilityParameter(), false);
        ch.acked = true; // the peer sent the OPEN; our messages may use its ordering at once
        channels.put(streamId, ch);
        if (ackLater) {
            ch.ackPending = true;
        } else {
            association.send(streamId, DcepMessage.PPID_DCEP, DcepMessage.ack(), SendOptions.RELIABLE,
                    association.now());
        }
        listener.onChannelOpenedByPeer(ch);
    }

    @Override
    public void onIncomingStreamsReset(int[] streamIds) {
        for (int id : streamIds) {
            DataChannel ch = channels.get(id);
            if (ch == null) {
                continue;
            }
            ch.incomingReset = true;
            if (ch.state == DataChannel.State.OPEN) {
                // The peer closed: reset our side too (RFC 8831 §6.7).
                ch.state = DataChannel.State.CLOSING;
                if (!association.resetStreams(new int[] {id}, association.now())) {
                    closed(ch);
                }
            } else if (ch.outgoingReset) {
                closed(ch);
            }
        }
    }

    @Override
    public void onOutgoingStreamsReset(int[] streamIds) {
        for (int id : streamIds) {
            DataChannel ch = channels.get(id);
            if (ch == null) {
                continue;
            }
            if (ch.ackPending) {
                // The reset belonged to the channel this one replaced: now the stream is ours again.
                ch.ackPending = false;
                association.send(id, DcepMessage.PPID_DCEP, DcepMessage.ack(), SendOptions.RELIABLE,
                        association.now());
                continue;
            }
            ch.outgoingReset = true;
            if (ch.incomingReset) {
                closed(ch);
            }
        }
    }

    @Override
    public void onBufferedAmountLow(int streamId) {
        DataChannel ch = channels.get(streamId);
        if (ch != null) {
            listener.onBufferedAmountLow(ch);
        }
    }

    @Override
    public void onClosed(CloseReason reason, String detail) {
        for (DataChannel ch : new ArrayList<>(channels.values())) {
            closed(ch);
        }
        listener.onAssociationClosed(reason, detail);
    }
}
