import React from 'react';

// To be built (issue 8).
export default function CatalogPage() {
  return <p className="muted">CatalogPage</p>;
}
