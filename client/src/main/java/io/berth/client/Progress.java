package io.berth.client;

import io.berth.spec.Descriptor;

/** What a copy reports as it goes; called from the blob threads, so implementations are thread-safe. */
public interface Progress {
    /** How a blob ended up at the destination. */
    enum Outcome { COPIED, SKIPPED, MOUNTED }

    void started(Descriptor blob);

    void transferred(Descriptor blob, long bytes);

    void finished(Descriptor blob, Outcome outcome);

    Progress NONE = new Progress() {
        @Override
        public void started(Descriptor blob) {}

        @Override
        public void transferred(Descriptor blob, long bytes) {}

        @Override
        public void finished(Descriptor blob, Outcome outcome) {}
    };
}
