package org.jenkinsci.plugins.workflow.libs

import java.lang.annotation.ElementType
import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy
import java.lang.annotation.Target

/** Stand-in for Jenkins' @Library: the harness loads vars/ itself (registerSharedLibrary). */
@Retention(RetentionPolicy.SOURCE)
@Target([ElementType.TYPE, ElementType.LOCAL_VARIABLE, ElementType.FIELD, ElementType.PACKAGE, ElementType.METHOD])
@interface Library {
    String[] value()
}
