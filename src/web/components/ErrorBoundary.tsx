/**
 * Keeps a failing page (a render error, or a lazy page whose chunk could not be loaded after a
 * new deployment) from blanking the whole workspace: the frame stays, with a reload button.
 * Reset by `resetKey` (the shell passes the current path).
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon';

function Fallback() {
  const { t } = useTranslation();
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-message">
        <Icon name="warning" /> {t('app.crashed')}
      </p>
      <button type="button" className="button secondary" onClick={() => window.location.reload()}>
        {t('app.reload')}
      </button>
    </div>
  );
}

interface Props {
  resetKey: string;
  children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { failedAt: string | null }> {
  override state = { failedAt: null as string | null };

  static getDerivedStateFromError(): Partial<{ failedAt: string | null }> {
    return { failedAt: '' };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('page failed', error, info.componentStack);
    this.setState({ failedAt: this.props.resetKey });
  }

  override componentDidUpdate(previous: Props): void {
    if (this.state.failedAt !== null && previous.resetKey !== this.props.resetKey) this.setState({ failedAt: null });
  }

  override render(): ReactNode {
    return this.state.failedAt !== null ? <Fallback /> : this.props.children;
  }
}
