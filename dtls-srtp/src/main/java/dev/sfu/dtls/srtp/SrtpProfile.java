package dev.sfu.dtls.srtp;

/**
 * The SRTP protection profiles the SFU negotiates in DTLS use_srtp (RFC 5764 §4.1.2, RFC 7714 §14.2),
 * in order of preference: AES-GCM costs a third of AES-CM + HMAC-SHA1 per packet on this hardware.
 */
public enum SrtpProfile {
    AEAD_AES_128_GCM(0x0007, 16, 12, 16),
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10);

    private final int protectionProfileId;
    private final int keyLength;
    private final int saltLength;
    private final int tagLength;

    SrtpProfile(int protectionProfileId, int keyLength, int saltLength, int tagLength) {
        this.protectionProfileId = protectionProfileId;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.tagLength = tagLength;
    }

    /** The DTLS-SRTP protection profile identifier. */
    public int protectionProfileId() {
        return protectionProfileId;
    }

    public int keyLength() {
        return keyLength;
    }

    public int saltLength() {
        return saltLength;
    }

    /** Authentication tag bytes appended to every SRTP packet. */
    public int tagLength() {
        return tagLength;
    }

    public boolean isAead() {
        return this == AEAD_AES_128_GCM;
    }

    public static SrtpProfile ofProtectionProfileId(int id) {
        for (SrtpProfile p : values()) {
            if (p.protectionProfileId == id) {
                return p;
            }
        }
        return null;
    }
}
