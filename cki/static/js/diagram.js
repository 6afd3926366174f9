// Draws the Mermaid diagrams of the page (the state diagram), in Mermaid's strict mode.
mermaid.initialize({startOnLoad: true, securityLevel: "strict"});
