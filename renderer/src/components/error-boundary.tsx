/**
 * @file A React error boundary: a part of the page that throws while rendering shows what went wrong
 * in its place, and the rest of the app (the search field, the sidebar) keeps working. `resetKey`
 * gives the part another try when it changes (a new search). Runs in the renderer.
 */
import { Component, type ReactNode } from 'react';

interface Props {
  /** What failed, for the message: "The search results". */
  what: string;
  resetKey: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
  key: string;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.key ? null : { error: null, key: props.resetKey };
  }

  override componentDidCatch(error: unknown): void {
    console.error(`shoebox: ${this.props.what} failed to render`, error);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="empty-state" role="alert" data-testid="render-error">
        <h2>{this.props.what} could not be shown</h2>
        <p>{this.state.error.message}</p>
      </div>
    );
  }
}
