"""Accessibility check with axe-core: any WCAG 2.2 A or AA violation fails the test, target size included."""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_axe = Axe()


def assert_accessible(page) -> None:
    # A test that waited for an element of a page just loaded can get here before its stylesheets have: under load
    # (two suites on two cores) axe once judged a link's contrast by Bootstrap's colours, without ours. The page's
    # load event comes after every stylesheet.
    page.wait_for_load_state("load")
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
