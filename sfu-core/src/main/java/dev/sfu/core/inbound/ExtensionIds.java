package dev.sfu.core.inbound;

import dev.sfu.core.sdp.HeaderExtension;
import java.util.Map;

/**
 * The header-extension ids (RFC 8285) one publisher negotiated, looked up once per offer instead of
 * once per packet; 0 = not negotiated.
 */
record ExtensionIds(int mid, int rid, int repairedRid, int audioLevel, int absSendTime, int transportCc) {
    static final ExtensionIds NONE = new ExtensionIds(0, 0, 0, 0, 0, 0);

    static ExtensionIds of(Map<HeaderExtension, Integer> ids) {
        return new ExtensionIds(ids.getOrDefault(HeaderExtension.MID, 0), ids.getOrDefault(HeaderExtension.RID, 0),
                ids.getOrDefault(HeaderExtension.REPAIRED_RID, 0), ids.getOrDefault(HeaderExtension.AUDIO_LEVEL, 0),
                ids.getOrDefault(HeaderExtension.ABS_SEND_TIME, 0), ids.getOrDefault(HeaderExtension.TRANSPORT_CC, 0));
    }
}
