"""The SCA certificate register (SCA-certificatenregister): the outbox it fetches from."""
