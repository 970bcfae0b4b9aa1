"""Features: jieba words, character 1-2-grams and pinyin bigrams."""

from intents.tokenize import char_grams, features, pinyin_grams, stop_words, words


def test_domain_words_stay_whole() -> None:
    assert "卡密" in words("卡密没收到")
    assert "转人工" in words("帮我转人工")


def test_particles_and_english_function_words_are_dropped() -> None:
    found = words("卡密呢 the refund pls")
    assert "呢" not in found
    assert {"the", "pls"}.isdisjoint(found)
    assert "refund" in found


def test_stop_words_include_particles_and_file_entries() -> None:
    assert {"的", "please", "my"} <= stop_words()


def test_char_grams_are_unigrams_and_bigrams_within_a_run() -> None:
    assert char_grams("卡密 没到") == ["c:卡", "c:密", "b:卡密", "c:没", "c:到", "b:没到"]


def test_char_grams_skip_non_cjk() -> None:
    assert char_grams("q币") == ["c:币"]


def test_pinyin_grams_make_homophones_share_a_feature() -> None:
    assert pinyin_grams("卡咪") == pinyin_grams("卡密") == ["p:ka_mi"]


def test_features_are_prefixed_by_kind() -> None:
    kinds = {f.split(":", 1)[0] for f in features("卡密没收到")}
    assert kinds == {"w", "c", "b", "p"}


def test_empty_text_has_no_features() -> None:
    assert features("") == []
