package dev.sfu.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's DTLS identity: one self-signed ECDSA P-256 certificate per instance, made at start, and
 * its fingerprint for SDP ({@code a=fingerprint:sha-256 AB:CD:...}, RFC 8122). Peers authenticate it
 * through the fingerprint signalled over the (authenticated) signaling channel, not through a CA.
 */
public final class DtlsCertificate {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Certificate certificate;
    private final AsymmetricKeyParameter privateKey;
    private final String fingerprint;

    private DtlsCertificate(Certificate certificate, AsymmetricKeyParameter privateKey) throws IOException {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.fingerprint = fingerprint("sha-256", certificate.getEncoded());
    }

    /** A new key pair and a certificate valid from a day ago to a year ahead, with a random CN. */
    public static DtlsCertificate generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=sfu-" + Long.toHexString(RANDOM.nextLong()));
            Instant now = Instant.now();
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, RANDOM),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))), name,
                    keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return new DtlsCertificate(holder.toASN1Structure(), PrivateKeyFactory.createKey(keys.getPrivate().getEncoded()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the DTLS certificate", e);
        }
    }

    Certificate certificate() {
        return certificate;
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /** "sha-256". */
    public String fingerprintAlgorithm() {
        return "sha-256";
    }

    /** Uppercase hex pairs joined by colons, as SDP writes them. */
    public String fingerprintSha256() {
        return fingerprint;
    }

    /**
     * The fingerprint of a DER-encoded certificate with a hash function named as in SDP (sha-1, sha-224,
     * sha-256, sha-384, sha-512).
     */
    static String fingerprint(String algorithm, byte[] der) {
        String jca = switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "sha-1" -> "SHA-1";
            case "sha-224" -> "SHA-224";
            case "sha-256" -> "SHA-256";
            case "sha-384" -> "SHA-384";
            case "sha-512" -> "SHA-512";
            default -> throw new IllegalArgumentException("unsupported fingerprint hash " + algorithm);
        };
        try {
            byte[] digest = MessageDigest.getInstance(jca).digest(der);
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
