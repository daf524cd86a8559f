"""The safety taxonomy: the categories every safety score is given in.

Named after OpenAI's moderation schema and sized to what we can label honestly (MLCommons' hazard
list is longer). `harassment` covers hate as well: our labelled set is too small to tell them apart.
"""

CATEGORIES = ("harassment", "sexual", "violence", "self-harm", "illicit", "privacy")

DESCRIPTIONS = {
    "harassment": "insults, threats of humiliation and hate against people or groups",
    "sexual": "sexually explicit content",
    "violence": "threats, plans or glorification of violence against people or animals",
    "self-harm": "suicide, self-injury and eating-disorder encouragement or methods",
    "illicit": "weapons, drugs, hacking, fraud and other crime",
    "privacy": "requests for or disclosure of someone's personal data (also detected by the PII scrubber)",
}

SAFE_LABEL = "safe"


def fasttext_label(category: str) -> str:
    return f"__label__{category}"
