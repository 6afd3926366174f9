// Draws the Mermaid diagrams of the page (the state diagram), in Mermaid's strict mode, with
// text large enough to read (the diagram is wide: its box scrolls sideways on a small screen).
mermaid.initialize({startOnLoad: true, securityLevel: "strict", themeVariables: {fontSize: "16px"},
                    state: {useMaxWidth: false}});
