package io.berth.registry.storage;

import io.berth.registry.RepositoryName;
import java.util.List;

/** The repositories a registry holds. */
public interface Catalog {

    /** Every repository, sorted. */
    List<RepositoryName> repositories();

    /** Whether a repository has ever received a blob link, manifest or tag. */
    boolean exists(RepositoryName repository);
}
