"""Accessibility check with axe-core: any WCAG 2.2 A or AA violation fails the test, target size included."""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_axe = Axe()


def assert_accessible(page) -> None:
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "rules": {"target-size": {"enabled": True}},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    if violations:
        lines = []
        for v in violations:
            for node in v["nodes"][:5]:
                lines.append(f"{v['id']} ({v['impact']}): {node['target']} — {node.get('failureSummary', '')}")
        raise AssertionError(f"{len(violations)} axe violation(s) on {page.url}:\n" + "\n".join(lines))
