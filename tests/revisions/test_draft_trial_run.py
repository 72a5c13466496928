"""The modeler's 试运行 through HTTP: a draft's validation says which elements the simulation's
paths went through, per process, so that the browser marks them on the diagram; an element no
path reaches is left out and named by its finding."""

from __future__ import annotations

from typing import Any

from ..conftest import Reply

REJECT = '<bpmn:conditionExpression>review_result == "reject"</bpmn:conditionExpression>'
NEVER = '<bpmn:conditionExpression>review_result == "no such result"</bpmn:conditionExpression>'


def call(http, method: str, path: str, body: Any = None) -> Reply:
    return http.as_("admin")._call(method, f"/api/v1/drafts{path}", json=body)


def validated(http, edit: tuple[str, str] | None = None) -> dict:
    draft = call(http, "POST", "", {"jurisdiction": "sample", "title": "试运行"})
    assert draft.status == 201, draft.body
    draft = draft.body
    if edit:
        text = draft["files"]["sample.bpmn"]
        assert edit[0] in text
        saved = call(http, "PUT", f"/{draft['id']}/files/sample.bpmn",
                     {"content": text.replace(*edit), "revision": draft["revision"]})
        assert saved.status == 200, saved.body
    report = call(http, "POST", f"/{draft['id']}/validate")
    assert report.status == 200, report.body
    return report.body


def test_the_validation_names_the_elements_the_simulated_paths_went_through(http):
    report = validated(http)
    main = report["simulation"]["processes"]["sample_project"]
    visited = main["visited_elements"]
    assert visited == sorted(set(visited)) and len(visited) == main["visited"]
    # every branch of the review: sent back, rejected, approved small and large, the late timer
    assert {"start", "scale", "review", "gw_review", "resubmit", "rejected", "gw_small", "countersign",
            "trial", "accept", "done"} <= set(visited), visited
    assert "f_reject" not in visited  # flows are not tasks: the browser draws them between visited ends
    for summary in report["simulation"]["processes"].values():
        assert len(summary["visited_elements"]) == summary["visited"]


def test_an_element_no_path_reaches_is_not_among_the_visited(http):
    report = validated(http, (REJECT, NEVER))
    visited = report["simulation"]["processes"]["sample_project"]["visited_elements"]
    assert "rejected" not in visited and "review" in visited and "done" in visited
    unreached = [f for f in report["simulation"]["findings"] if f["element"] == "rejected"]
    assert unreached and unreached[0]["kind"] == "unreachable", report["simulation"]["findings"]
