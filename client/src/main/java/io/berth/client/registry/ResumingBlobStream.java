package io.berth.client.registry;

import io.berth.client.ClientException;
import io.berth.image.io.BulkInputStream;
import io.berth.spec.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A blob download that survives broken connections: on an I/O error it asks again from the offset
 * reached ({@code Range: bytes=<offset>-}, distribution-spec "Pulling blobs"). The size is checked
 * here; the digest is checked by whoever stores the bytes (the content store's ingest, or the
 * destination registry, which "MUST" verify a pushed blob's digest): hashing here too would hash
 * every byte twice. {@link #verified} hashes for callers that store nothing.
 */
final class ResumingBlobStream extends BulkInputStream {
    private final RegistryClient client;
    private final String repo;
    private final Descriptor d;
    private final MessageDigest md;
    private final boolean hash;
    private InputStream cur;
    private long offset;
    private int resumes;
    private boolean verified;

    ResumingBlobStream(RegistryClient client, String repo, Descriptor d, boolean hash) {
        this.client = client;
        this.repo = repo;
        this.d = d;
        this.hash = hash;
        this.md = hash ? d.digest().newBulkHasher() : null;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (cur == null) {
                cur = client.openBlob(repo, d.digest(), offset);
            }
            int n;
            try {
                n = cur.read(b, off, len);
            } catch (IOException e) {
                if (++resumes > RegistryClient.ATTEMPTS) {
                    throw new IOException("get blob " + d.digest() + ": gave up after " + resumes + " broken reads at byte "
                            + offset, e);
                }
                cur.close();
                cur = null;
                continue;
            }
            if (n < 0) {
                if (offset < d.size() && resumes < RegistryClient.ATTEMPTS) {
                    // The server closed early: ask for the rest.
                    resumes++;
                    cur.close();
                    cur = null;
                    continue;
                }
                verify();
                return -1;
            }
            offset += n;
            if (offset > d.size()) {
                throw new ClientException("get blob " + d.digest() + ": more than the descriptor's " + d.size() + " bytes");
            }
            if (hash) {
                md.update(b, off, n);
            }
            return n;
        }
    }

    private void verify() {
        if (verified) {
            return;
        }
        if (offset != d.size()) {
            throw new ClientException("get blob " + d.digest() + ": got " + offset + " bytes, expected " + d.size());
        }
        if (hash && !d.digest().matches(md.digest())) {
            throw new ClientException("get blob " + d.digest() + ": content does not match the digest");
        }
        verified = true;
    }

    /** How many times the download was resumed (for tests and progress). */
    int resumes() {
        return resumes;
    }

    @Override
    public void close() throws IOException {
        if (cur != null) {
            cur.close();
        }
    }
}
