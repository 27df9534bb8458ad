package io.imagecache.spi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Schema facts about one record component of an Args, State or object-type record. The component's
 * name is the property name; its Java type gives the schema type (String, Integer/int, Double, Boolean,
 * List, Map with String keys, or a record annotated {@link ObjectType}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Prop {
    /** Markdown shown in the schema and the SDKs. */
    String description();

    /** Check fails when a required property is missing (unless it is unknown during preview). */
    boolean required() default false;

    /** Marked secret in the schema; always stored encrypted in state. */
    boolean secret() default false;

    /** A change to this property replaces the resource instead of updating it. */
    boolean replaceOnChanges() default false;

    /**
     * A change to this property (or anything below it) never touches the host: how we reach the host
     * (credentials, ports, timeouts, a jump host) or how long we wait, not what is on it. The default
     * diff leaves such changes out, so they need no update (the engine still stores the new inputs),
     * and the schema says so in the property's description.
     */
    boolean hostNeutral() default false;

    /**
     * The default applied by Check when the property is absent, as a literal: "22", "true", "root",
     * "/etc/cron.d". Empty: no default.
     */
    String defaultValue() default "";
}
