// The paper-specific math of chapter-ultralow moves here (a library target, so Tests/ can test it).
