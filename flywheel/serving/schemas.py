"""Request bodies of the OpenAI-compatible API and of `/v1/feedback`, validated by FastAPI (a bad
body is a 422 naming the field). Fields the OpenAI API has and Flywheel ignores are accepted."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flywheel.feedback.events import MAX_ID_CHARS, MAX_TEXT_CHARS

ROUTED_MODEL = "chat_model"  # the name that follows the canary share; `production`/`canary` pin an alias


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant"]
    content: str = Field(max_length=MAX_TEXT_CHARS)


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str = ROUTED_MODEL
    messages: list[Message] = Field(min_length=1, max_length=64)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float = Field(default=1.0, ge=0.0, le=2.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    stop: str | list[str] | None = None
    user: str | None = Field(default=None, max_length=MAX_ID_CHARS)
    stream: bool = False
    seed: int | None = None
    n: int = Field(default=1, ge=1, le=1, description="One answer per request.")

    def stop_list(self) -> list[str]:
        return [self.stop] if isinstance(self.stop, str) else list(self.stop or [])[:4]


class ModerationRequest(BaseModel):
    """OpenAI's moderation request: one text or a list of them."""

    model_config = ConfigDict(extra="ignore")
    input: str | list[str]
    model: str | None = None

    @model_validator(mode="after")
    def bounded(self) -> ModerationRequest:
        texts = [self.input] if isinstance(self.input, str) else self.input
        if not 1 <= len(texts) <= 64:
            raise ValueError("input: give 1 to 64 texts")
        if any(len(text) > MAX_TEXT_CHARS for text in texts):
            raise ValueError(f"input: each text at most {MAX_TEXT_CHARS} characters")
        return self


class FeedbackRequest(BaseModel):
    """A rating (`response_id`, `rating`) or a comparison (`chosen_id`, `rejected_id`)."""

    model_config = ConfigDict(extra="forbid")
    response_id: str | None = Field(default=None, max_length=MAX_ID_CHARS)
    rating: Literal[1, -1] | None = None
    chosen_id: str | None = Field(default=None, max_length=MAX_ID_CHARS)
    rejected_id: str | None = Field(default=None, max_length=MAX_ID_CHARS)
    user: str | None = Field(default=None, max_length=MAX_ID_CHARS)

    @model_validator(mode="after")
    def one_kind(self) -> FeedbackRequest:
        is_rating = self.response_id is not None or self.rating is not None
        is_comparison = self.chosen_id is not None or self.rejected_id is not None
        if is_rating == is_comparison:
            raise ValueError("give either response_id and rating, or chosen_id and rejected_id")
        if is_rating and (self.response_id is None or self.rating is None):
            raise ValueError("a rating needs both response_id and rating (1 or -1)")
        if is_comparison and (self.chosen_id is None or self.rejected_id is None):
            raise ValueError("a comparison needs both chosen_id and rejected_id")
        return self
