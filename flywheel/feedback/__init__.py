"""User feedback on the model's answers: event validation, PII scrubbing, exactly-once ingestion,
preference pairs for reward modelling and DPO, and a simulator for demos."""
