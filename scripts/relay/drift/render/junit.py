"""JUnit XML: one test case per resource (drift is a failure), so Jenkins lists what drifted.

A suite per root stack and region. Resources that could not be checked are errors, unsupported
types are skipped (with the reason), ignored drift passes with the rule's reason in system-out, and
each stack's template drift is one more test case.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from relay.drift.detection import UNSUPPORTED
from relay.drift.model import DRIFTED, NOT_CHECKED, ResourceResult, ScanReport, StackResult


def _differences(resource: ResourceResult) -> str:
    lines = [f"{resource.logical_id} ({resource.resource_type}, {resource.physical_id}) is {resource.status}"]
    lines += [
        f"  {d.path}: expected {d.expected!r}, actual {d.actual!r} ({d.kind})"
        + (f" [ignored: {d.ignored}]" if d.ignored else "")
        for d in resource.differences
    ]
    return "\n".join(lines)


def _resource_case(suite: ET.Element, stack: StackResult, resource: ResourceResult) -> None:
    case = ET.SubElement(
        suite, "testcase", classname=f"drift.{stack.region}.{stack.label}", name=resource.logical_id
    )
    if resource.drifted:
        ET.SubElement(case, "failure", message=f"{resource.status}", type="drift").text = _differences(
            resource
        )
    elif resource.status == NOT_CHECKED:
        kind = "skipped" if resource.reason == UNSUPPORTED else "error"
        ET.SubElement(case, kind, message=f"not checked: {resource.reason}")
    elif resource.shown_status == "IGNORED":
        reason = resource.ignored or "; ".join(sorted({d.ignored or "" for d in resource.differences}))
        ET.SubElement(case, "system-out").text = f"ignored: {reason}\n{_differences(resource)}"


def _template_case(suite: ET.Element, stack: StackResult) -> None:
    if stack.template is None:
        return
    case = ET.SubElement(suite, "testcase", classname=f"drift.{stack.region}.{stack.label}", name="template")
    if stack.template.status == DRIFTED:
        ET.SubElement(
            case, "failure", message="deployed template differs from the repository", type="template-drift"
        ).text = "\n".join(stack.template.differences)
    elif stack.template.status == NOT_CHECKED:
        ET.SubElement(case, "skipped", message=stack.template.reason)


def scan_junit(report: ScanReport) -> str:
    suites = ET.Element("testsuites", name="relay drift")
    for root in report.roots:
        suite = ET.SubElement(suites, "testsuite", name=f"drift {root.region} {root.name}")
        for stack in root.stacks:
            if stack.status == NOT_CHECKED and not stack.resources:
                case = ET.SubElement(
                    suite, "testcase", classname=f"drift.{stack.region}.{stack.label}", name="stack"
                )
                ET.SubElement(case, "error", message=f"not checked: {stack.reason}")
            for resource in stack.resources:
                _resource_case(suite, stack, resource)
            _template_case(suite, stack)
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        for kind, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            suite.set(attribute, str(sum(case.find(kind) is not None for case in cases)))
    for error in report.errors:
        suite = ET.SubElement(
            suites, "testsuite", name="drift scan", tests="1", failures="0", errors="1", skipped="0"
        )
        case = ET.SubElement(suite, "testcase", classname="drift.scan", name="region")
        ET.SubElement(case, "error", message=error)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")
