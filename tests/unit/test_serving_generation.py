"""The server's decoding loop against Hugging Face's own `generate`, and batched against alone."""

import pytest
import torch

from flywheel.serving.generation import LENGTH, STOP, ChatModel, GenerationRequest

PROMPTS = ["What is a list?", "Tell me how to open a file in Python, please, with an example.", "Hi"]


@pytest.fixture(scope="module")
def chat_model(model_dir):
    return ChatModel(str(model_dir))


def _prompt(chat_model, text):
    return chat_model.prompt_ids([{"role": "user", "content": text}])


def test_greedy_decoding_matches_hugging_face_generate(chat_model):
    ids = _prompt(chat_model, PROMPTS[1])
    [ours] = chat_model.generate([GenerationRequest(ids, max_new_tokens=12)])
    reference = chat_model.model.generate(torch.tensor([ids]), max_new_tokens=12, do_sample=False,
                                          eos_token_id=list(chat_model.stop_ids),
                                          pad_token_id=chat_model.tokenizer.pad_token_id)[0, len(ids):].tolist()
    reference = [t for t in reference if t not in chat_model.stop_ids]
    assert ours.text == chat_model.tokenizer.decode(reference, skip_special_tokens=True)
    assert ours.tokens == len(reference)


def test_a_batch_answers_as_each_request_would_alone(chat_model):
    requests = [GenerationRequest(_prompt(chat_model, p), max_new_tokens=n) for p, n in zip(PROMPTS, (10, 4, 16))]
    batched = chat_model.generate(requests)
    alone = [chat_model.generate([r])[0] for r in requests]
    assert [(c.text, c.tokens, c.finish_reason) for c in batched] == [
        (c.text, c.tokens, c.finish_reason) for c in alone]
    assert [c.tokens for c in batched] == [10, 4, 16]
    assert {c.finish_reason for c in batched} == {LENGTH}


def test_streamed_pieces_add_up_to_the_answer_and_stop_strings_end_it(chat_model):
    ids = _prompt(chat_model, PROMPTS[0])
    [free] = chat_model.generate([GenerationRequest(ids, max_new_tokens=16)])
    clean = free.text.replace("\ufffd", "")
    assert len(clean) >= 8
    stop = clean[len(clean) // 2:len(clean) // 2 + 3]
    pieces = []
    [stopped] = chat_model.generate([GenerationRequest(ids, max_new_tokens=16, stop=[stop])],
                                    lambda row, text, finish, tokens: pieces.append((text, finish)))
    assert stopped.finish_reason == STOP
    assert stopped.text == free.text[: free.text.find(stop)]
    assert "".join(text for text, _ in pieces) == stopped.text
    assert pieces[-1][1] == STOP and all(finish is None for _, finish in pieces[:-1])


def test_sampling_is_reproducible_with_a_seed_and_greedy_at_tiny_top_p(chat_model):
    ids = _prompt(chat_model, PROMPTS[2])
    sample = [chat_model.generate([GenerationRequest(ids, 12, temperature=1.0, seed=7)])[0].text for _ in range(2)]
    assert sample[0] == sample[1]
    [greedy] = chat_model.generate([GenerationRequest(ids, 12)])
    [nucleus] = chat_model.generate([GenerationRequest(ids, 12, temperature=1.0, top_p=1e-6, seed=3)])
    assert nucleus.text == greedy.text


def test_int8_quantized_model_still_answers(model_dir):
    quantized = ChatModel(str(model_dir), quantize_int8=True)
    [answer] = quantized.generate([GenerationRequest(_prompt(quantized, PROMPTS[0]), max_new_tokens=6)])
    assert quantized.quantized and answer.tokens == 6
