// The paper-specific math of chapter-hoyer moves here (a library target, so Tests/ can test it).
