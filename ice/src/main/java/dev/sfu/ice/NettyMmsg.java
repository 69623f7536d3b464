package dev.sfu.ice;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * {@code sendmmsg(2)} through Netty's epoll JNI library, without a Netty channel: the media threads fill
 * datagram descriptors themselves and make one system call for many datagrams.
 *
 * <p>Netty's public entry point is {@code Native.sendmmsg(int fd, NativeDatagramPacket[], int, int)},
 * but the descriptor class is nested in the package-private {@code NativeDatagramPacketArray} and has
 * private fields (the JNI code reads them by name). They are reached here with method and variable handles
 * (both are in the unnamed module on the class path, so no {@code --add-opens} is needed), checked once
 * when this class loads. If anything is missing (another Netty version, no native library, not Linux),
 * {@link #AVAILABLE} is false and the media port sends through ice4j as before.
 *
 * <p>Descriptor fields used, as Netty's own {@code NativeDatagramPacket.init} sets them for a send:
 * {@code memoryAddress} (a {@code struct iovec*}), {@code count} (iovecs), {@code segmentSize} (0: no
 * UDP GSO), {@code recipientAddr} (16 bytes, IPv4 as IPv4-mapped IPv6), {@code recipientAddrLen} (16),
 * {@code recipientScopeId}, {@code recipientPort}.
 */
final class NettyMmsg {
    static final boolean AVAILABLE;
    /** Why not, when not. */
    static final String UNAVAILABLE_REASON;

    private static final MethodHandle NEW_PACKET_ARRAY; // () -> Object
    private static final MethodHandle PACKETS; // (Object) -> Object[]
    private static final MethodHandle RELEASE; // (Object) -> void
    private static final MethodHandle SENDMMSG; // (int, Object[], int, int) -> int
    private static final Class<?> PACKET_CLASS;
    static final VarHandle MEMORY_ADDRESS;
    static final VarHandle COUNT;
    static final VarHandle SEGMENT_SIZE;
    static final VarHandle RECIPIENT_ADDR;
    static final VarHandle RECIPIENT_ADDR_LEN;
    static final VarHandle RECIPIENT_SCOPE_ID;
    static final VarHandle RECIPIENT_PORT;

    static {
        MethodHandle newArray = null;
        MethodHandle packets = null;
        MethodHandle release = null;
        MethodHandle sendmmsg = null;
        VarHandle memoryAddress = null;
        VarHandle count = null;
        VarHandle segmentSize = null;
        VarHandle recipientAddr = null;
        VarHandle recipientAddrLen = null;
        VarHandle recipientScopeId = null;
        VarHandle recipientPort = null;
        Class<?> packetClassFound = null;
        String reason = null;
        try {
            if (!io.netty.channel.epoll.Epoll.isAvailable()) {
                reason = "Netty epoll is not available: " + io.netty.channel.epoll.Epoll.unavailabilityCause();
            } else if (!io.netty.channel.epoll.Native.IS_SUPPORTING_SENDMMSG) {
                reason = "the kernel has no sendmmsg";
            } else {
                MethodHandles.Lookup me = MethodHandles.lookup();
                Class<?> arrayClass = Class.forName("io.netty.channel.epoll.NativeDatagramPacketArray");
                Class<?> packetClass = Class.forName(
                        "io.netty.channel.epoll.NativeDatagramPacketArray$NativeDatagramPacket");
                Class<?> packetArrayType = packetClass.arrayType();
                packetClassFound = packetClass;
                MethodHandles.Lookup arrays = MethodHandles.privateLookupIn(arrayClass, me);
                MethodHandles.Lookup packet = MethodHandles.privateLookupIn(packetClass, me);
                newArray = arrays.findConstructor(arrayClass, MethodType.methodType(void.class))
                        .asType(MethodType.methodType(Object.class));
                packets = arrays.findVirtual(arrayClass, "packets", MethodType.methodType(packetArrayType))
                        .asType(MethodType.methodType(Object[].class, Object.class));
                release = arrays.findVirtual(arrayClass, "release", MethodType.methodType(void.class))
                        .asType(MethodType.methodType(void.class, Object.class));
                sendmmsg = me.findStatic(io.netty.channel.epoll.Native.class, "sendmmsg",
                                MethodType.methodType(int.class, int.class, packetArrayType, int.class, int.class))
                        .asType(MethodType.methodType(int.class, int.class, Object[].class, int.class, int.class));
                memoryAddress = packet.findVarHandle(packetClass, "memoryAddress", long.class);
                count = packet.findVarHandle(packetClass, "count", int.class);
                segmentSize = packet.findVarHandle(packetClass, "segmentSize", int.class);
                recipientAddr = packet.findVarHandle(packetClass, "recipientAddr", byte[].class);
                recipientAddrLen = packet.findVarHandle(packetClass, "recipientAddrLen", int.class);
                recipientScopeId = packet.findVarHandle(packetClass, "recipientScopeId", int.class);
                recipientPort = packet.findVarHandle(packetClass, "recipientPort", int.class);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            reason = "Netty's epoll internals are not as expected: " + e;
        }
        AVAILABLE = reason == null;
        UNAVAILABLE_REASON = reason;
        NEW_PACKET_ARRAY = newArray;
        PACKETS = packets;
        RELEASE = release;
        SENDMMSG = sendmmsg;
        PACKET_CLASS = packetClassFound;
        MEMORY_ADDRESS = memoryAddress;
        COUNT = count;
        SEGMENT_SIZE = segmentSize;
        RECIPIENT_ADDR = recipientAddr;
        RECIPIENT_ADDR_LEN = recipientAddrLen;
        RECIPIENT_SCOPE_ID = recipientScopeId;
        RECIPIENT_PORT = recipientPort;
    }

    private NettyMmsg() {
    }

    /** A new {@code NativeDatagramPacketArray}: its descriptors are reused for every batch. */
    static Object newPacketArray() {
        try {
            return (Object) NEW_PACKET_ARRAY.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static Object[] packets(Object packetArray) {
        try {
            return (Object[]) PACKETS.invokeExact(packetArray);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** An empty array of descriptors ({@code NativeDatagramPacket[]}), for regrouping a batch's descriptors. */
    static Object[] newDescriptorArray(int length) {
        return (Object[]) java.lang.reflect.Array.newInstance(PACKET_CLASS, length);
    }

    static void release(Object packetArray) {
        try {
            RELEASE.invokeExact(packetArray);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends {@code length} datagrams from {@code packets[offset]} on {@code fd}: how many went, 0 when the
     * socket's send buffer is full (EAGAIN), an exception when the first of them failed otherwise.
     */
    static int sendmmsg(int fd, Object[] packets, int offset, int length) throws IOException {
        try {
            return (int) SENDMMSG.invokeExact(fd, packets, offset, length);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }
}
