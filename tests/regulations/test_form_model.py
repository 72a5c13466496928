"""The form designer's model (web/src/admin/forms/fieldModel.js), run in Node: every bundled form
of every jurisdiction loaded and saved without change — and with each field's label and
required mark set to what they already are — gives back the same JSON; a form built in the
designer with one field of every kind is one the draft's validation accepts, whose 条件必填 and
documents the server enforces."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.errors import FormInvalid
from engine.language import validate_form

from ..conftest import FIXTURES, ROOT
from ..revisions.test_drafts import call, save

MODEL = ROOT / "web" / "src" / "admin" / "forms" / "fieldModel.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed to run the designer's model")

ROUND_TRIP = """
import fs from 'node:fs';
const m = await import(process.argv[1]);
const forms = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = forms.map(({ name, schema, ui }) => {
  const model = m.loadForm(schema, ui);
  let touched = model;
  for (const f of model.fields) {
    if (f.kind === 'advanced') continue;
    touched = m.setLabel(touched, f.key, m.labelOf(f.kind, f.prop.title));
    touched = m.setRequired(touched, f.key, f.required);
  }
  return {
    name, kinds: model.fields.map((f) => f.kind),
    conditions: model.conditions.filter((c) => c.raw === undefined).length,
    untouched: m.writeForm(model), touched: m.writeForm(touched),
  };
});
process.stdout.write(JSON.stringify(out));
"""

# A new form built field by field through the model's edits, as the designer's buttons make them.
BUILD = """
const m = await import(process.argv[1]);
let model = m.loadForm(JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema', title: '新表单', type: 'object',
  properties: {}, required: [],
}), null);
const keys = {};
const add = (kind, label) => {
  const r = m.addField(model, kind, label);
  model = r.model;
  keys[label] = r.key;
};
model = m.setFormText(model, 'title', '设计器试验表单');
model = m.setFormText(model, 'description', '第五条：由设计器生成');
add('text', '项目名称'); model = m.setRequired(model, keys['项目名称'], true);
model = m.setOptional(model, keys['项目名称'], 'x-article', '第五条');
add('textarea', '审核意见'); model = m.setOptional(model, keys['审核意见'], 'x-role', 'opinion');
add('amount', '项目预算'); model = m.setRequired(model, keys['项目预算'], true);
add('integer', '建设年度');
add('date', '完成日期');
add('choice', '审核结论'); model = m.setRequired(model, keys['审核结论'], true);
model = m.editProperty(model, keys['审核结论'], (p) => { p.oneOf[0].title = '通过'; p.oneOf[1].title = '退回'; });
add('boolean', '是否涉密'); model = m.setRequired(model, keys['是否涉密'], true);
add('attachment', '可行性研究报告');
model = m.setWhen(model, keys['可行性研究报告'], { field: keys['是否涉密'], value: true });
add('attachment', '其他材料'); model = m.setMultiple(model, keys['其他材料'], true);
add('directory', '承办单位'); model = m.setSetting(model, keys['承办单位'], 'x-directory-role', 'unit');
add('directory', '会签科室'); model = m.setSetting(model, keys['会签科室'], 'x-directory', 'office');
model = m.setMultiple(model, keys['会签科室'], true);
add('directory', '经办人'); model = m.setSetting(model, keys['经办人'], 'x-directory', 'user');
process.stdout.write(JSON.stringify({ keys, kinds: model.fields.map((f) => f.kind), ...m.writeForm(model) }));
"""

# Edits of a bundled form: 条件必填 joins the rule already there, a removed or retyped trigger takes
# its rule with it, a removed field leaves `required`, a moved field moves in the order staff see.
EDITS = """
import fs from 'node:fs';
const m = await import(process.argv[1]);
const { schema, ui } = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = {};
let model = m.loadForm(schema, ui);
out.loaded = model.fields.filter((f) => f.when).map((f) => [f.key, f.when]);
model = m.setWhen(model, 'security_plan', { field: 'emergency', value: true });
out.joined = JSON.parse(m.writeForm(model).schemaText);
model = m.removeField(model, 'emergency');
model = m.removeField(model, 'contact_person');
model = m.moveField(model, 'contact_phone', -1);
out.removed = JSON.parse(m.writeForm(model).schemaText);
model = m.setKind(model, 'classified', 'text');
out.retyped = JSON.parse(m.writeForm(model).schemaText);
process.stdout.write(JSON.stringify(out));
"""


def node(script: str, stdin: str = "") -> Any:
    done = subprocess.run([NODE, "--input-type=module", "-e", script, str(MODEL)], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def bundled_forms() -> list[dict[str, Any]]:
    out = []
    for schema in sorted((ROOT / "forms").glob("*/*.schema.json")):
        ui = schema.with_name(schema.name.replace(".schema.json", ".uischema.json"))
        out.append({"name": str(schema.relative_to(ROOT)), "schema": schema.read_text("utf-8"),
                    "ui": ui.read_text("utf-8") if ui.exists() else None})
    return out


def test_every_bundled_form_saved_through_the_designer_unchanged_is_the_same_json():
    forms = bundled_forms()
    assert len({Path(f["name"]).parts[1] for f in forms}) == 5 and len(forms) > 250
    results = node(ROUND_TRIP, json.dumps(forms))
    assert [r["name"] for r in results] == [f["name"] for f in forms]
    for form, result in zip(forms, results, strict=True):
        for kind in ("untouched", "touched"):
            out = result[kind]
            assert json.loads(out["schemaText"]) == json.loads(form["schema"]), (form["name"], kind)
            if form["ui"] is None:
                assert out["uiText"] is None, (form["name"], kind)
            else:
                assert json.loads(out["uiText"]) == json.loads(form["ui"]), (form["name"], kind)
    kinds = [k for r in results for k in r["kinds"]]
    # The designer represents nearly every bundled field; the rest are kept as advanced fields.
    assert kinds.count("advanced") <= 10
    assert {"attachment", "directory", "amount", "choice", "boolean", "date", "textarea"} <= set(kinds)
    assert sum(r["conditions"] for r in results) >= 40  # 条件必填 read from the bundles' if/then


# The draft the designed form is added to: the sample bundle's, whose validation (a dry-run
# deploy with its simulation) takes a second, where a bundled jurisdiction's takes ten or more.
SAMPLE_ID = json.loads((FIXTURES / "bpmn" / "sample" / "manifest.json").read_text("utf-8"))["id"]


def test_a_form_built_in_the_designer_passes_the_drafts_validation(http):
    built = node(BUILD)
    assert "advanced" not in built["kinds"] and len(built["kinds"]) == 12
    schema, keys = json.loads(built["schemaText"]), built["keys"]
    props = schema["properties"]
    assert props[keys["项目名称"]]["x-article"] == "第五条" and props[keys["项目名称"]]["minLength"] == 1
    assert props[keys["项目预算"]]["title"] == "项目预算（元）" and keys["项目预算"].endswith("_yuan")
    assert props[keys["其他材料"]]["items"]["format"] == "attachment"
    classified = keys["是否涉密"]
    assert schema["allOf"] == [{"if": {"properties": {classified: {"const": True}}, "required": [classified]},
                                "then": {"required": [keys["可行性研究报告"]]}}]

    created = call(http, "POST", "", {"jurisdiction": SAMPLE_ID, "title": "设计器表单"})
    assert created.status == 201, created.body
    draft = created.body
    draft = save(http, draft, "forms/designed.schema.json", built["schemaText"])
    if built["uiText"] is not None:
        draft = save(http, draft, "forms/designed.uischema.json", built["uiText"])
    report = call(http, "POST", f"/{draft['id']}/validate").body
    assert report["problems"] == [] and report["simulation"] is not None, report["problems"]
    # the simulation's findings on the sample's own diagrams are not the form's: only those naming it
    mine = [f for f in report["simulation"]["findings"] if "designed" in json.dumps(f, ensure_ascii=False)]
    assert mine == [], mine

    # The server enforces what the designer wrote: a classified project needs its feasibility report.
    data = {keys["项目名称"]: "试点", keys["项目预算"]: 300000, keys["审核结论"]: "option_1", keys["是否涉密"]: True}
    with pytest.raises(FormInvalid) as refused:
        validate_form(built["schemaText"], data)
    assert any("可行性研究报告" in e["message"] for e in refused.value.errors), refused.value.errors
    validate_form(built["schemaText"], {**data, keys["可行性研究报告"]: "0" * 32})


def test_required_when_edits_write_the_bundles_if_then_in_place():
    folder = ROOT / "forms" / "gongshu"
    out = node(EDITS, json.dumps({"schema": (folder / "declaration.schema.json").read_text("utf-8"), "ui": None}))
    assert out["loaded"] == [["emergency_reason", {"field": "emergency", "value": True}],
                             ["classified_legal_basis", {"field": "classified", "value": True}]]
    emergency = {"if": {"properties": {"emergency": {"const": True}}, "required": ["emergency"]},
                 "then": {"required": ["emergency_reason", "security_plan"]}}
    classified = {"if": {"properties": {"classified": {"const": True}}, "required": ["classified"]},
                  "then": {"required": ["classified_legal_basis"]}}
    assert out["joined"]["allOf"] == [emergency, classified]
    removed = out["removed"]
    assert removed["allOf"] == [classified]
    assert "emergency" not in removed["required"] and "contact_person" not in removed["required"]
    assert list(removed["properties"])[-2:] == ["contact_phone", "classified_legal_basis"]
    # a trigger that no longer offers 是/否 takes its rule with it
    assert "allOf" not in out["retyped"] and out["retyped"]["properties"]["classified"]["type"] == "string"
