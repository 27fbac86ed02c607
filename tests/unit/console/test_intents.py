from console.intents import known_intents


def test_known_intents_are_the_domain_s_without_the_fallback():
    intents = known_intents()
    assert {"faq_dati_registrazione", "richiedi_richiamata", "affirm"} <= set(intents)
    assert "nlu_fallback" not in intents
