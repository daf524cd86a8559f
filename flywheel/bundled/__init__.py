"""Files Flywheel ships inside the package, found through the package (not the repository root),
so a non-editable install (`pip install .`) runs the same as a checkout.

    filters/                  the URL blocklist and fastText's lid.176 language-id model
    dagster.yaml.template     the local Dagster instance written into FLYWHEEL_HOME
    workspace.yaml            the code location `flywheel`, for the webserver and daemon
    serving/chat.html         the model server's chat page (static HTML + JS, no build step)
    safety/                   the safety classifier's labelled set, the red-team and over-refusal
                              evaluation sets (written by us: infra/safety/build_safety_sets.py)
    sample/                   the demo's crawl batches and feedback, the bundled SFT instructions
                              and the quality classifier's reference sets (licences in LICENSES.md)
"""

from importlib.resources import files
from pathlib import Path

# The package is installed as plain files (setuptools copies package data), never zipped, so its
# folder is a real path that fastText, Spark and pyarrow can open.
BUNDLED_DIR = Path(str(files(__name__)))

LANGUAGE_ID_MODEL = BUNDLED_DIR / "filters" / "lid.176.ftz"
URL_BLOCKLIST = BUNDLED_DIR / "filters" / "url_blocklist.txt"
DAGSTER_YAML_TEMPLATE = BUNDLED_DIR / "dagster.yaml.template"
# The code location `flywheel` for `dagster dev -w` / `dagster-webserver -w` (`make ui`).
WORKSPACE_YAML = BUNDLED_DIR / "workspace.yaml"

SAMPLE_DIR = BUNDLED_DIR / "sample"
SAMPLE_CRAWL_DIR = SAMPLE_DIR / "crawl"
SAMPLE_FEEDBACK = SAMPLE_DIR / "feedback" / "feedback-sample.jsonl"
BUNDLED_INSTRUCTIONS = SAMPLE_DIR / "instructions" / "python-docs.jsonl"
# Refusals of unsafe requests and helpful answers to look-alikes, trained by SFT unless switched off.
SAFETY_INSTRUCTIONS = SAMPLE_DIR / "instructions" / "safety-refusals.jsonl"
REFERENCE_PROSE = SAMPLE_DIR / "reference" / "documentation-prose.jsonl.gz"
SPAM_HOLDOUT = SAMPLE_DIR / "reference" / "spamassassin-holdout.jsonl.gz"

# Evaluation: lm-eval task YAMLs (with their metric functions) and the regression set we wrote.
EVALUATION_TASKS_DIR = BUNDLED_DIR / "evaluation" / "tasks"
REGRESSION_SET = BUNDLED_DIR / "evaluation" / "regression.jsonl"

CHAT_PAGE = BUNDLED_DIR / "serving" / "chat.html"

# Safety: the classifier's labelled texts, and the sets every candidate model is red-teamed with.
SAFETY_DIR = BUNDLED_DIR / "safety"
SAFETY_LABELLED = SAFETY_DIR / "labelled.jsonl"
RED_TEAM_SET = SAFETY_DIR / "red_team.jsonl"
OVER_REFUSAL_SET = SAFETY_DIR / "over_refusal.jsonl"
