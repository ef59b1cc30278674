package io.berth.image.unpack;

/**
 * Limits and switches for unpacking. The limits contain hostile layers (bombs, absurd entries); each
 * refusal names the layer, the entry and the limit.
 *
 * @param maxTotalBytes     uncompressed bytes across all layers (tar streams included)
 * @param maxEntries        tar entries across all layers
 * @param maxPathLength     bytes in one entry name or link target
 * @param maxXattrBytes     bytes in one extended attribute value
 * @param maxSymlinkHops    symlinks followed (inside the rootfs) while resolving one path
 * @param replaceExisting   replace a non-empty existing rootfs (otherwise refuse)
 * @param ignoreOwnership   do not chown (for unprivileged unpacks; as root this is off)
 * @param skipDevices       skip device nodes instead of failing when mknod is not permitted
 * @param prefetchBytes     how much decompressed data may wait per layer, ahead of its apply
 */
public record UnpackOptions(
        long maxTotalBytes,
        long maxEntries,
        int maxPathLength,
        int maxXattrBytes,
        int maxSymlinkHops,
        boolean replaceExisting,
        boolean ignoreOwnership,
        boolean skipDevices,
        int prefetchBytes) {

    public static UnpackOptions defaults() {
        return new UnpackOptions(256L << 30, 10_000_000, 4096, 64 * 1024, 40, false, !Privileges.isRoot(), true,
                64 << 20);
    }

    public UnpackOptions withReplaceExisting(boolean r) {
        return new UnpackOptions(maxTotalBytes, maxEntries, maxPathLength, maxXattrBytes, maxSymlinkHops, r,
                ignoreOwnership, skipDevices, prefetchBytes);
    }

    public UnpackOptions withMaxTotalBytes(long m) {
        return new UnpackOptions(m, maxEntries, maxPathLength, maxXattrBytes, maxSymlinkHops, replaceExisting,
                ignoreOwnership, skipDevices, prefetchBytes);
    }

    public UnpackOptions withMaxEntries(long m) {
        return new UnpackOptions(maxTotalBytes, m, maxPathLength, maxXattrBytes, maxSymlinkHops, replaceExisting,
                ignoreOwnership, skipDevices, prefetchBytes);
    }
}
