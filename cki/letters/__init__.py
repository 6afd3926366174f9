"""Letters, their templates and the post register: outgoing and incoming documents, bezwaren and beroepen."""
