import React from 'react';

// To be built (issue 8).
export default function MigrationPage() {
  return <p className="muted">MigrationPage</p>;
}
