package io.imagecache.spi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a {@link CustomResource} or {@link ProviderFunction} class with its schema token and docs. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ResourceType {
    /** e.g. {@code imagecache:index:MaintenanceSchedule} or, for a function, {@code imagecache:index:resolveDigest}. */
    String token();

    /** Markdown; the first sentence is the summary. */
    String description();
}
