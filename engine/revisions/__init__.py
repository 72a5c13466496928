"""Changing what is in force: compiling and checking a bundle, deploying it, drafts edited in
the browser, the diff between versions, rescheduling, moving cases under way to a new version,
and the pre-deployment simulation.

This is the wing's public face: `api/`, `bench/` and the CLI use these names, never a module
inside. Modules: compiler (a bundle validated whole into specs), lint and expression_sites (what
the check reads), deploy and uploads (a bundle in force, from folders or a zip), drafts, diff,
versions (reschedule, kept reports, version diff), migrate, simulate (+ simulation/); access
(the one administrators-only check);
new_jurisdiction, organisation, blank_diagram and case_titles (a jurisdiction drafted from
nothing, its offices and units, an empty process, the start-form field its cases are titled
by), accounts (staff accounts given offices of deployed and drafted jurisdictions);
draft_words (a draft's vocabulary, its timers in words), draft_conditions (its gateway
conditions in words) and
decision_edit + decision_cells + decision_columns (a draft's decision tables edited in
words, new ones from nothing).
"""

from .accounts import create_account, list_accounts, office_directory, update_account
from .case_titles import choose as choose_case_title
from .case_titles import read as draft_case_titles
from .compiler import compile_bundle
from .decision_edit import create_table as create_draft_decision
from .decision_edit import save_table as save_draft_decisions
from .decision_edit import table_for_editing as draft_decisions_for_editing
from .deploy import DeployOptions, DeployResult, FolderResults, deploy_folders
from .deploy import deploy as deploy_bundle
from .diff import diff_bundles, summary_text
from .draft_conditions import condition_expression, condition_in_words
from .draft_words import timer_expression, timer_in_words
from .draft_words import words as draft_vocabulary
from .drafts import add_process as add_draft_process
from .drafts import create as create_draft
from .drafts import create_new as create_jurisdiction_draft
from .drafts import delete_file as delete_draft_file
from .drafts import deploy_draft, list_drafts, preview_articles
from .drafts import discard as discard_draft
from .drafts import get as get_draft
from .drafts import get_organisation as draft_organisation
from .drafts import put_file as put_draft_file
from .drafts import put_organisation as put_draft_organisation
from .drafts import validate as validate_draft
from .migrate import apply as migrate_cases
from .migrate import dry_run as migration_dry_run
from .migrate import revert as revert_migration
from .simulate import offline_engine, simulate_bundle
from .uploads import deploy_upload
from .versions import diff as version_diff
from .versions import reschedule, simulation_report

__all__ = [
    "DeployOptions",
    "DeployResult",
    "FolderResults",
    "add_draft_process",
    "choose_case_title",
    "compile_bundle",
    "condition_expression",
    "condition_in_words",
    "create_account",
    "create_draft",
    "create_draft_decision",
    "create_jurisdiction_draft",
    "delete_draft_file",
    "deploy_bundle",
    "deploy_draft",
    "deploy_folders",
    "deploy_upload",
    "diff_bundles",
    "discard_draft",
    "draft_case_titles",
    "draft_decisions_for_editing",
    "draft_organisation",
    "draft_vocabulary",
    "get_draft",
    "list_accounts",
    "list_drafts",
    "migrate_cases",
    "migration_dry_run",
    "office_directory",
    "offline_engine",
    "preview_articles",
    "put_draft_file",
    "put_draft_organisation",
    "reschedule",
    "revert_migration",
    "save_draft_decisions",
    "simulate_bundle",
    "simulation_report",
    "summary_text",
    "timer_expression",
    "timer_in_words",
    "update_account",
    "validate_draft",
    "version_diff",
]
