package io.hounsfield.core.testing;

import io.hounsfield.core.Volume;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves volumes (or masks) open: every off-heap allocation a test makes must be
 * closed by its owner (STYLE.md, "Leaks fail tests"). Registered for every test by JUnit's extension
 * auto-detection (the parent POM enables it); tests in one JVM run one at a time.
 */
public final class NoLeakedVolumes implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeakedVolumes.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("live", Volume.liveCount());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        long before = context.getStore(NS).get("live", Long.class);
        long leaked = Volume.liveCount() - before;
        if (leaked > 0) {
            throw new AssertionError(context.getDisplayName() + " left " + leaked + " volume(s) open");
        }
    }
}
