package org.resnetspark.backend;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every test JVM runs with the production backend: {@link Backend#init()} before the first test touches ND4J.
 * Auto-registered (src/test/resources/junit-platform.properties + META-INF/services); the engine instantiates
 * it before running any test class, and the static initializer makes that the earliest point possible.
 */
public final class BackendExtension implements BeforeAllCallback {

    static {
        Backend.init();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Backend.init();
    }
}
