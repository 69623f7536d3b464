package dev.sfu.rtp;

/**
 * An RTP packet (RFC 3550 §5.1) as a reusable view over (buffer, offset, length): fields are read and
 * written in place, nothing is parsed that the caller does not ask for, and nothing is allocated.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers             |
 * |  defined by profile (0xBEDE)  |   length in 32-bit words      |   (when X)
 * </pre>
 *
 * <p>Why one class of about 500 lines: the fixed header and the RFC 8285 extension block share the
 * offsets this view caches on {@link #wrap}, and editing the block in place ({@link #remapExtensionIds},
 * {@link #addExtension}) must keep them right; split apart, every piece would re-derive them per call on
 * the per-packet path. Typed element values live in {@link HeaderExtensions}, SDES items in
 * {@link SdesItemExtension}.
 */
public final class RtpPacket {
    public static final int FIXED_HEADER_LENGTH = 12;
    /** RFC 8285 §4.2 one-byte header form. */
    public static final int ONE_BYTE_PROFILE = 0xBEDE;
    /** RFC 8285 §4.3 two-byte header form: 0x100 followed by 4 application bits. */
    public static final int TWO_BYTE_PROFILE_MASK = 0xFFF0;
    public static final int TWO_BYTE_PROFILE = 0x1000;

    private byte[] buffer;
    private int offset;
    private int length;
    private int headerLength;
    private int extensionOffset; // start of the extension elements, -1 when none
    private int extensionLength; // bytes of extension elements
    private int paddingLength;

    /**
     * Points the view at a packet and validates its structure: version 2, CSRCs, the extension and the
     * padding inside the length.
     *
     * @return false for anything that is not a well-formed RTP packet (the view is then unusable)
     */
    public boolean wrap(byte[] buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.extensionOffset = -1;
        this.extensionLength = 0;
        if (buffer == null || offset < 0 || length < FIXED_HEADER_LENGTH || offset > buffer.length - length) {
            this.length = 0;
            return false;
        }
        int b0 = buffer[offset] & 0xff;
        if ((b0 >> 6) != 2) {
            this.length = 0;
            return false;
        }
        int header = FIXED_HEADER_LENGTH + 4 * (b0 & 0x0f);
        if ((b0 & 0x10) != 0) {
            if (header + 4 > length) {
                this.length = 0;
                return false;
            }
            int words = readUint16(offset + header + 2);
            extensionOffset = offset + header + 4;
            extensionLength = 4 * words;
            header += 4 + extensionLength;
        }
        if (header > length) {
            this.length = 0;
            return false;
        }
        int padding = 0;
        if ((b0 & 0x20) != 0) {
            padding = buffer[offset + length - 1] & 0xff;
            if (padding == 0 || header + padding > length) {
                this.length = 0;
                return false;
            }
        }
        this.headerLength = header;
        this.paddingLength = padding;
        return true;
    }

    /**
     * Writes a 12-byte RTP header (version 2, no padding, extension or CSRCs) at {@code off}; returns 12.
     */
    public static int writeHeader(byte[] buf, int off, boolean marker, int payloadType, int sequenceNumber,
            int timestamp, int ssrc) {
        buf[off] = (byte) 0x80;
        buf[off + 1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7f));
        buf[off + 2] = (byte) (sequenceNumber >> 8);
        buf[off + 3] = (byte) sequenceNumber;
        for (int i = 0; i < 4; i++) {
            buf[off + 4 + i] = (byte) (timestamp >> (24 - 8 * i));
            buf[off + 8 + i] = (byte) (ssrc >> (24 - 8 * i));
        }
        return FIXED_HEADER_LENGTH;
    }

    /** Whether bytes look like RTP rather than RTCP under rtcp-mux (RFC 5761 §4). */
    public static boolean isRtp(byte[] buf, int off, int len) {
        if (len < FIXED_HEADER_LENGTH || (buf[off] & 0xc0) != 0x80) {
            return false;
        }
        int pt = buf[off + 1] & 0xff;
        return pt < 192 || pt > 223;
    }

    /** Whether bytes look like RTCP under rtcp-mux: packet type 192..223 (RFC 5761 §4). */
    public static boolean isRtcp(byte[] buf, int off, int len) {
        if (len < 8 || (buf[off] & 0xc0) != 0x80) {
            return false;
        }
        int pt = buf[off + 1] & 0xff;
        return pt >= 192 && pt <= 223;
    }

    public byte[] buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int version() {
        return (buffer[offset] & 0xff) >> 6;
    }

    public boolean padding() {
        return (buffer[offset] & 0x20) != 0;
    }

    public boolean hasExtension() {
        return extensionOffset >= 0;
    }

    public int csrcCount() {
        return buffer[offset] & 0x0f;
    }

    public int csrc(int index) {
        return readInt(offset + FIXED_HEADER_LENGTH + 4 * index);
    }

    public boolean marker() {
        return (buffer[offset + 1] & 0x80) != 0;
    }

    public void setMarker(boolean marker) {
        buffer[offset + 1] = (byte) (marker ? buffer[offset + 1] | 0x80 : buffer[offset + 1] & 0x7f);
    }

    public int payloadType() {
        return buffer[offset + 1] & 0x7f;
    }

    public void setPayloadType(int payloadType) {
        buffer[offset + 1] = (byte) ((buffer[offset + 1] & 0x80) | (payloadType & 0x7f));
    }

    /** 0..65535. */
    public int sequenceNumber() {
        return readUint16(offset + 2);
    }

    public void setSequenceNumber(int sequenceNumber) {
        buffer[offset + 2] = (byte) (sequenceNumber >> 8);
        buffer[offset + 3] = (byte) sequenceNumber;
    }

    /** The raw 32 bits; use {@link Integer#toUnsignedLong} for arithmetic beyond a wrap-aware delta. */
    public int timestamp() {
        return readInt(offset + 4);
    }

    public void setTimestamp(int timestamp) {
        writeInt(offset + 4, timestamp);
    }

    /** The raw 32 bits. */
    public int ssrc() {
        return readInt(offset + 8);
    }

    public void setSsrc(int ssrc) {
        writeInt(offset + 8, ssrc);
    }

    public int headerLength() {
        return headerLength;
    }

    /** Absolute index of the payload in {@link #buffer()}. */
    public int payloadOffset() {
        return offset + headerLength;
    }

    /** Payload bytes, padding excluded. */
    public int payloadLength() {
        return length - headerLength - paddingLength;
    }

    public int paddingLength() {
        return paddingLength;
    }

    /** The "defined by profile" field of the extension header, or -1 without one. */
    public int extensionProfile() {
        return extensionOffset < 0 ? -1 : readUint16(extensionOffset - 4);
    }

    /**
     * Finds a header extension element (RFC 8285) by id, in the one-byte or the two-byte form.
     *
     * @return a packed position: {@code (offset << 16) | length} of the element's data, or -1 when absent
     *     or malformed; see {@link #elementOffset(long)} and {@link #elementLength(long)}
     */
    public long findExtension(int id) {
        if (extensionOffset < 0 || id <= 0) {
            return -1;
        }
        int profile = extensionProfile();
        int end = extensionOffset + extensionLength;
        int i = extensionOffset;
        if (profile == ONE_BYTE_PROFILE) {
            while (i < end) {
                int b = buffer[i] & 0xff;
                if (b == 0) {
                    i++;
                    continue;
                }
                int elementId = b >> 4;
                if (elementId == 15) {
                    return -1; // RFC 8285 §4.2: stop processing
                }
                int len = (b & 0x0f) + 1;
                if (i + 1 + len > end) {
                    return -1;
                }
                if (elementId == id) {
                    return ((long) (i + 1) << 16) | len;
                }
                i += 1 + len;
            }
        } else if ((profile & TWO_BYTE_PROFILE_MASK) == TWO_BYTE_PROFILE) {
            while (i < end) {
                int elementId = buffer[i] & 0xff;
                if (elementId == 0) {
                    i++;
                    continue;
                }
                if (i + 2 > end) {
                    return -1;
                }
                int len = buffer[i + 1] & 0xff;
                if (i + 2 + len > end) {
                    return -1;
                }
                if (elementId == id) {
                    return ((long) (i + 2) << 16) | len;
                }
                i += 2 + len;
            }
        }
        return -1;
    }

    /**
     * Re-maps header extension ids in place (RFC 8285), for a receiver that negotiated other ids than the
     * sender: element id {@code i} becomes {@code idMap[i]}; an element mapped to 0 is removed by turning
     * all its bytes into padding (zero bytes, which receivers skip). Ids beyond the map are removed too.
     *
     * @return false when the extension block is malformed (the packet is left as far as it was rewritten)
     */
    public boolean remapExtensionIds(byte[] idMap) {
        if (extensionOffset < 0) {
            return true;
        }
        int profile = extensionProfile();
        boolean oneByte = profile == ONE_BYTE_PROFILE;
        if (!oneByte && (profile & TWO_BYTE_PROFILE_MASK) != TWO_BYTE_PROFILE) {
            return true; // not an RFC 8285 block: nothing we may touch
        }
        int end = extensionOffset + extensionLength;
        int i = extensionOffset;
        while (i < end) {
            int first = buffer[i] & 0xff;
            if (first == 0) {
                i++;
                continue;
            }
            int id;
            int headerBytes;
            int dataLength;
            if (oneByte) {
                id = first >> 4;
                if (id == 15) {
                    return true; // stop processing (RFC 8285 §4.2)
                }
                headerBytes = 1;
                dataLength = (first & 0x0f) + 1;
            } else {
                if (i + 1 >= end) {
                    return false;
                }
                id = first;
                headerBytes = 2;
                dataLength = buffer[i + 1] & 0xff;
            }
            int elementEnd = i + headerBytes + dataLength;
            if (elementEnd > end) {
                return false;
            }
            int newId = id < idMap.length ? idMap[id] & 0xff : 0;
            if (newId == 0 || (oneByte && newId > 14)) {
                java.util.Arrays.fill(buffer, i, elementEnd, (byte) 0);
            } else if (oneByte) {
                buffer[i] = (byte) ((newId << 4) | (first & 0x0f));
            } else {
                buffer[i] = (byte) newId;
            }
            i = elementEnd;
        }
        return true;
    }

    /**
     * Adds a header extension element (RFC 8285) in place, shifting the payload (and any RTP padding) right,
     * and re-wraps the view over the longer packet.
     *
     * <ul>
     * <li>Without an extension block, one is created after the CSRCs: the one-byte form (0xBEDE) when
     *     {@code id} is 1..14 and the data 1..16 bytes, else the two-byte form (0x1000).</li>
     * <li>With a one-byte block, the element is appended after the last element (reusing trailing padding);
     *     an element the one-byte form cannot carry (id 15..255, or 0 or more than 16 bytes) converts the
     *     block to the two-byte form (RFC 8285 §4.3: every element gets a length byte; padding between
     *     elements, and elements with the reserved id 0, are dropped).</li>
     * <li>With a two-byte block, the element is appended.</li>
     * </ul>
     * The block is re-padded with zero bytes to a 32-bit boundary and never shrinks.
     *
     * @param id 1..255
     * @param data the element's value, {@code dataLength} (0..255) bytes from {@code dataOffset}; it must not
     *     lie inside this packet's own buffer region that moves
     * @return the packet's new length, or -1 without any change when the buffer has no room, the id is
     *     already present (rewrite it in place instead), the block is malformed, ends with the one-byte
     *     form's "stop" id 15, or has a profile other than RFC 8285's
     */
    public int addExtension(int id, byte[] data, int dataOffset, int dataLength) {
        if (length == 0 || id < 1 || id > 255 || dataLength < 0 || dataLength > 255 || data == null
                || dataOffset < 0 || dataOffset > data.length - dataLength) {
            return -1;
        }
        boolean fitsOneByte = id <= 14 && dataLength >= 1 && dataLength <= 16;
        int end = offset + length;
        if (extensionOffset < 0) {
            int blockStart = offset + FIXED_HEADER_LENGTH + 4 * csrcCount();
            int elementBytes = (fitsOneByte ? 1 : 2) + dataLength;
            int grow = 4 + ((elementBytes + 3) & ~3);
            if (end > buffer.length - grow) {
                return -1;
            }
            System.arraycopy(buffer, blockStart, buffer, blockStart + grow, end - blockStart);
            writeUint16(blockStart, fitsOneByte ? ONE_BYTE_PROFILE : TWO_BYTE_PROFILE);
            writeUint16(blockStart + 2, (grow - 4) / 4);
            int at = writeElement(blockStart + 4, fitsOneByte, id, data, dataOffset, dataLength);
            java.util.Arrays.fill(buffer, at, blockStart + grow, (byte) 0);
            buffer[offset] |= 0x10;
            return rewrap(length + grow);
        }
        int profile = extensionProfile();
        boolean oneByte = profile == ONE_BYTE_PROFILE;
        if (!oneByte && (profile & TWO_BYTE_PROFILE_MASK) != TWO_BYTE_PROFILE) {
            return -1;
        }
        // Find the end of the last element and count the elements; refuse a duplicate id.
        int blockEnd = extensionOffset + extensionLength;
        int usedEnd = extensionOffset;
        int elements = 0;
        int i = extensionOffset;
        while (i < blockEnd) {
            int first = buffer[i] & 0xff;
            if (first == 0) {
                i++;
                continue;
            }
            int elementId;
            int elementEnd;
            if (oneByte) {
                elementId = first >> 4;
                if (elementId == 15) {
                    return -1; // whatever follows "stop" is not ours to interpret
                }
                elementEnd = i + 2 + (first & 0x0f);
            } else {
                if (i + 2 > blockEnd) {
                    return -1;
                }
                elementId = first;
                elementEnd = i + 2 + (buffer[i + 1] & 0xff);
            }
            if (elementEnd > blockEnd || elementId == id) {
                return -1;
            }
            elements++;
            usedEnd = elementEnd;
            i = elementEnd;
        }
        boolean convert = oneByte && !fitsOneByte;
        boolean twoByteElement = !oneByte || convert;
        // A converted block is first moved right by one byte per element (see below), so size it for that.
        int needed = (usedEnd - extensionOffset) + (convert ? elements : 0) + (twoByteElement ? 2 : 1) + dataLength;
        int newBlockLength = Math.max(extensionLength, (needed + 3) & ~3);
        if (newBlockLength / 4 > 0xffff) {
            return -1;
        }
        int grow = newBlockLength - extensionLength;
        if (end > buffer.length - grow) {
            return -1;
        }
        if (grow > 0) {
            System.arraycopy(buffer, blockEnd, buffer, blockEnd + grow, end - blockEnd);
        }
        int at = usedEnd;
        if (convert) {
            // Move the old elements right by their count, then copy them back to the front one by one, each
            // now two bytes of header. The reader stays ahead of the writer by the elements still to come,
            // so no byte is overwritten before it is read.
            System.arraycopy(buffer, extensionOffset, buffer, extensionOffset + elements, usedEnd - extensionOffset);
            int read = extensionOffset + elements;
            int readEnd = usedEnd + elements;
            at = extensionOffset;
            while (read < readEnd) {
                int first = buffer[read] & 0xff;
                if (first == 0) {
                    read++;
                    continue;
                }
                int len = (first & 0x0f) + 1;
                if ((first >> 4) == 0) {
                    // An element with the reserved id 0 (RFC 8285 §4.2): nobody can ask for it, and as a
                    // two-byte element its id byte 0 would read as padding and its length as the next id.
                    read += 1 + len;
                    continue;
                }
                System.arraycopy(buffer, read + 1, buffer, at + 2, len);
                buffer[at] = (byte) (first >> 4);
                buffer[at + 1] = (byte) len;
                at += 2 + len;
                read += 1 + len;
            }
            writeUint16(extensionOffset - 4, TWO_BYTE_PROFILE);
        }
        at = writeElement(at, !twoByteElement, id, data, dataOffset, dataLength);
        java.util.Arrays.fill(buffer, at, extensionOffset + newBlockLength, (byte) 0);
        writeUint16(extensionOffset - 2, newBlockLength / 4);
        return rewrap(length + grow);
    }

    private int writeElement(int at, boolean oneByte, int id, byte[] data, int dataOffset, int dataLength) {
        if (oneByte) {
            buffer[at++] = (byte) ((id << 4) | (dataLength - 1));
        } else {
            buffer[at++] = (byte) id;
            buffer[at++] = (byte) dataLength;
        }
        System.arraycopy(data, dataOffset, buffer, at, dataLength);
        return at + dataLength;
    }

    private int rewrap(int newLength) {
        return wrap(buffer, offset, newLength) ? newLength : -1;
    }

    public static int elementOffset(long position) {
        return (int) (position >>> 16);
    }

    public static int elementLength(long position) {
        return (int) (position & 0xffff);
    }

    private int readUint16(int at) {
        return ((buffer[at] & 0xff) << 8) | (buffer[at + 1] & 0xff);
    }

    private void writeUint16(int at, int value) {
        buffer[at] = (byte) (value >> 8);
        buffer[at + 1] = (byte) value;
    }

    private int readInt(int at) {
        return ((buffer[at] & 0xff) << 24) | ((buffer[at + 1] & 0xff) << 16) | ((buffer[at + 2] & 0xff) << 8)
                | (buffer[at + 3] & 0xff);
    }

    private void writeInt(int at, int value) {
        buffer[at] = (byte) (value >> 24);
        buffer[at + 1] = (byte) (value >> 16);
        buffer[at + 2] = (byte) (value >> 8);
        buffer[at + 3] = (byte) value;
    }
}
